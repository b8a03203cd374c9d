/* riskdesk dashboard: plain JS, same-origin API only (docs/api.md). */
'use strict';
(function () {
  var REFRESH_MS = 5000;
  var main = document.getElementById('main');
  var statusEl = document.getElementById('status');
  var configs = {};          /* account name -> its /config answer (limits) */
  var busy = false;

  /* ---- token: #token=... in the URL, else local storage ---- */
  var m = /[#&]token=([^&]+)/.exec(location.hash);
  if (m) {   /* "#token=T" or "#/account/x&token=T": keep the page, drop the token */
    localStorage.setItem('rdToken', decodeURIComponent(m[1]));
    var rest = location.hash.replace(/[#&]token=[^&]*/, '').replace(/^#?&?/, '');
    history.replaceState(null, '', location.pathname + '#' + (rest || '/'));
  }
  function token() { return localStorage.getItem('rdToken') || ''; }

  function showLogin(msg) {
    main.innerHTML = '';
    document.getElementById('login').hidden = false;
    document.getElementById('login-error').textContent = msg || '';
    statusEl.textContent = 'no token';
  }
  document.getElementById('login').addEventListener('submit', function (e) {
    e.preventDefault();
    localStorage.setItem('rdToken', document.getElementById('token').value.trim());
    document.getElementById('login').hidden = true;
    refresh();
  });
  document.getElementById('logout').addEventListener('click', function () {
    localStorage.removeItem('rdToken');
    showLogin('');
  });

  function api(path) {
    return fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + token() } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) {
            var e = new Error(body.error ? body.error.message : 'HTTP ' + r.status);
            e.status = r.status;
            throw e;
          }
          return body;
        });
      });
  }

  /* ---- formatting ---- */
  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function num(s) { var v = parseFloat(s); return isNaN(v) ? null : v; }
  function money(s) {
    var v = num(s);
    if (v === null) return '<span class="muted">–</span>';
    return (v < 0 ? '-$' : '$') + Math.abs(v).toLocaleString('en-US',
      { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function short(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    return v.toFixed(0);
  }
  function time(s) { return s ? esc(s.replace('T', ' ').replace('Z', '')) : ''; }
  function meter(used, limit, label) {
    if (limit === null || limit <= 0) return '<span>' + label + '</span>';
    var pct = Math.max(0, Math.min(100, 100 * used / limit));
    var cls = pct >= 90 ? 'bad' : pct >= 60 ? 'warn' : '';
    return '<div class="meter"><div class="bar"><div class="fill ' + cls + '" style="width:' +
      pct.toFixed(1) + '%"></div></div><span>' + label + '</span></div>';
  }

  /* ---- hand-drawn SVG line chart: pts = [{t: ms, v: number}] ---- */
  function chart(pts, cls, limit, step) {
    var W = 300, H = 140, L = 46, R = 8, T = 10, B = 22;
    if (!pts.length) return '<p class="muted">no data yet</p>';
    var t0 = pts[0].t, t1 = pts[pts.length - 1].t;
    var vs = pts.map(function (p) { return p.v; });
    if (limit !== null && limit !== undefined) vs.push(limit);
    var lo = Math.min.apply(null, vs), hi = Math.max.apply(null, vs);
    if (hi === lo) { hi += Math.abs(hi) * 0.01 || 1; lo -= Math.abs(lo) * 0.01 || 1; }
    function x(t) { return t1 === t0 ? L + (W - L - R) / 2 : L + (W - L - R) * (t - t0) / (t1 - t0); }
    function y(v) { return T + (H - T - B) * (hi - v) / (hi - lo); }
    var s = '<svg class="chart" viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none">';
    s += '<line class="axis" x1="' + L + '" y1="' + (H - B) + '" x2="' + (W - R) + '" y2="' + (H - B) + '"/>';
    s += '<line class="axis" x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + (H - B) + '"/>';
    s += '<text x="' + (L - 4) + '" y="' + (T + 4) + '" text-anchor="end">' + short(hi) + '</text>';
    s += '<text x="' + (L - 4) + '" y="' + (H - B) + '" text-anchor="end">' + short(lo) + '</text>';
    s += '<text x="' + L + '" y="' + (H - 6) + '">' + esc(new Date(t0).toISOString().slice(0, 10)) + '</text>';
    s += '<text x="' + (W - R) + '" y="' + (H - 6) + '" text-anchor="end">' +
      esc(new Date(t1).toISOString().slice(0, 16).replace('T', ' ')) + '</text>';
    if (limit !== null && limit !== undefined)
      s += '<line class="limit" x1="' + L + '" y1="' + y(limit) + '" x2="' + (W - R) + '" y2="' + y(limit) + '"/>';
    var d = pts.map(function (p, i) {
      return (i ? (step ? 'H' + x(p.t).toFixed(1) + ' V' : 'L' + x(p.t).toFixed(1) + ' ') :
        'M' + x(p.t).toFixed(1) + ' ') + y(p.v).toFixed(1);
    }).join(' ');
    s += '<path class="line ' + cls + '" d="' + d + '"/>';
    pts.forEach(function (p) {
      s += '<circle cx="' + x(p.t).toFixed(1) + '" cy="' + y(p.v).toFixed(1) + '" r="2.5" fill="currentColor"/>';
    });
    return s + '</svg>';
  }

  /* exposure over time from the account's fills: entries add their notional,
   * exits take off their share of the position's cost; then the current value */
  function exposureSeries(orders, now) {
    var pos = {}, total = 0, pts = [];
    orders.forEach(function (o) {
      var q = o.filled_qty || 0, px = num(o.fill_price) || 0, mult = o.multiplier || 1;
      if (!q || o.status === 'rejected' || o.status === 'canceled') return;
      var p = pos[o.symbol] || (pos[o.symbol] = { qty: 0, cost: 0 });
      if (o.intent === 'entry') {
        p.qty += q; p.cost += q * px * mult; total += q * px * mult;
      } else if (p.qty > 0) {
        var part = p.cost * Math.min(q, p.qty) / p.qty;
        p.qty -= Math.min(q, p.qty); p.cost -= part; total -= part;
      }
      pts.push({ t: Date.parse(o.updated_at || o.created_at), v: total });
    });
    if (pts.length) pts.unshift({ t: pts[0].t, v: 0 });
    if (now) pts.push(now);
    return pts;
  }

  /* ---- pages ---- */
  function loadAccount(a) {
    var n = encodeURIComponent(a.name);
    var cfg = configs[a.name] ? Promise.resolve(configs[a.name]) : api('/accounts/' + n + '/config');
    return Promise.all([api('/accounts/' + n), cfg, api('/accounts/' + n + '/orders'),
      api('/performance/snapshots?account=' + n), api('/accounts/' + n + '/decisions?limit=5')])
      .then(function (r) {
        configs[a.name] = r[1];
        return { a: r[0], cfg: r[1], orders: r[2].orders, snaps: r[3].snapshots, decisions: r[4].decisions };
      });
  }

  function overview() {
    return api('/accounts').then(function (d) {
      return Promise.all(d.accounts.map(loadAccount));
    }).then(function (rows) {
      var h = '<div class="card"><table><thead><tr><th>Account</th><th>Tier</th><th>State</th>' +
        '<th class="num">Buying power</th><th class="num">Equity</th><th>Exposure / limit</th>' +
        '<th>Positions / limit</th><th>Daily P&amp;L / loss limit</th><th>Kill switch</th></tr></thead><tbody>';
      var charts = '', decs = [];
      rows.forEach(function (x) {
        decs = decs.concat(x.decisions);
        var a = x.a, lim = x.cfg.limits || {};
        var exp = num(a.exposure) || 0, expLim = num(lim.max_notional_exposure);
        var pnl = (num(a.equity) !== null && num(a.last_equity) !== null) ? num(a.equity) - num(a.last_equity) : null;
        var lossLim = num(lim.max_daily_loss);
        var halted = a.state === 'HALTED';
        var name = encodeURIComponent(a.name);
        h += '<tr data-account="' + esc(a.name) + '"><td><a href="#/account/' + name + '">' + esc(a.name) + '</a>' +
          (a.broker_ok ? '' : ' <span class="pill bad">broker down</span>') + '</td>' +
          '<td>' + esc(a.tier) + ' <span class="muted">' + esc(a.tier_mode) + '</span></td>' +
          '<td><span class="pill ' + (a.state === 'ACTIVE' ? 'good' : halted ? 'bad' : 'warn') + '">' +
          esc(a.state) + '</span>' + (a.closed ? ' <span class="muted">closed</span>' : '') + '</td>' +
          '<td class="num">' + money(a.buying_power) + '</td><td class="num">' + money(a.equity) + '</td>' +
          '<td>' + meter(exp, expLim, money(a.exposure) + ' / ' + money(lim.max_notional_exposure)) + '</td>' +
          '<td>' + meter(a.open_positions || 0, lim.max_open_positions,
            esc(a.open_positions) + ' / ' + esc(lim.max_open_positions)) + '</td>' +
          '<td>' + meter(pnl !== null && pnl < 0 ? -pnl : 0, lossLim,
            '<span class="' + (pnl < 0 ? 'bad' : 'good') + '">' + (pnl === null ? '–' : money(pnl.toFixed(2))) +
            '</span> / -' + money(lim.max_daily_loss)) + '</td>' +
          '<td><span class="pill ' + (halted ? 'bad' : 'good') + '">' + (halted ? 'ON' : 'off') + '</span>' +
          (halted && a.state_reason ? ' <span class="muted">' + esc(a.state_reason) + '</span>' : '') + '</td></tr>';
        var nowT = a.numbers_at ? Date.parse(a.numbers_at) : Date.now();
        var eq = x.snaps.map(function (s) { return { t: Date.parse(s.date + 'T21:00:00Z'), v: num(s.equity) }; });
        if (num(a.equity) !== null) eq.push({ t: nowT, v: num(a.equity) });
        eq.sort(function (p, q) { return p.t - q.t; });
        var ex = exposureSeries(x.orders, { t: Math.max(nowT, Date.now()), v: exp });
        charts += '<div class="card"><h3>' + esc(a.name) + ' · equity</h3>' + chart(eq, '', null) + '</div>' +
          '<div class="card"><h3>' + esc(a.name) + ' · exposure <span class="muted">(dashed: limit)</span></h3>' +
          chart(ex, 'exp', expLim, true) + '</div>';
      });
      main.innerHTML = '<h2>Accounts</h2>' + h + '</tbody></table></div>' +
        '<h2>Equity and exposure over time</h2><div class="charts">' + charts + '</div>' +
        '<h2>Latest decisions</h2>' + decisionTable(decs.sort(function (p, q) {
          return p.decided_at < q.decided_at ? 1 : p.decided_at > q.decided_at ? -1 : q.id - p.id;
        }).slice(0, 10), true);
    });
  }

  /* every gate's verdict; failed ones only when brief */
  function gates(d, brief) {
    var list = (d.decision.gates || []).filter(function (g) { return !brief || !g.passed; });
    if (!list.length) return '<span class="muted">all gates passed</span>';
    return '<div class="gates">' + list.map(function (g) {
      return '<span class="gate' + (g.passed ? '' : ' fail') + '" title="' +
        esc(g.reason + ': observed ' + g.observed + ', threshold ' + g.threshold) + '">' +
        esc(g.name) + (g.passed ? ' ✓' : ' ✗ ' + g.reason) + '</span>';
    }).join('') + '</div>';
  }

  function decisionTable(list, withAccount) {
    return '<div class="card"><table><thead><tr><th>#</th><th>When</th>' + (withAccount ? '<th>Account</th>' : '') +
      '<th>Rec</th><th>Verdict</th><th class="num">Size</th><th>Gates</th></tr></thead><tbody>' +
      list.map(function (d) {
        var g = d.decision.gates || [], passed = g.filter(function (x) { return x.passed; }).length;
        return '<tr><td>' + esc(d.id) + '</td><td>' + time(d.decided_at) + '</td>' + (withAccount ?
          '<td><a href="#/account/' + encodeURIComponent(d.account) + '">' + esc(d.account) + '</a></td>' : '') +
          '<td>' + esc(d.rec_id) + '</td><td>' +
          (d.decision.approved ? '<span class="pill good">approved</span>' :
            '<span class="pill bad">rejected: ' + esc(d.first_failed) + '</span>') +
          ' <span class="muted">' + passed + '/' + g.length + ' gates</span></td><td class="num">' +
          esc(d.decision.size) + '</td><td style="white-space:normal">' + gates(d, withAccount) + '</td></tr>';
      }).join('') + '</tbody></table>' + (list.length ? '' : '<p class="muted">no decisions yet</p>') + '</div>';
  }

  function accountPage(name) {
    var n = encodeURIComponent(name);
    return Promise.all([api('/accounts/' + n + '/decisions?limit=50'), api('/accounts/' + n + '/positions'),
      api('/accounts/' + n + '/orders')]).then(function (r) {
      var h = '<h2><a href="#/">Accounts</a> / ' + esc(name) + '</h2>';
      h += '<div class="card"><h3>Positions</h3><table><thead><tr><th>Symbol</th><th>Strategy</th>' +
        '<th class="num">Qty</th><th class="num">Avg price</th><th>Opened</th><th>Rec</th></tr></thead><tbody>' +
        r[1].positions.map(function (p) {
          return '<tr><td>' + esc(p.symbol) + '</td><td>' + esc(p.strategy) + '</td><td class="num">' + esc(p.qty) +
            '</td><td class="num">' + money(p.avg_price) + '</td><td>' + time(p.opened_at) + '</td><td>' + esc(p.rec_id) + '</td></tr>';
        }).join('') + '</tbody></table>' + (r[1].positions.length ? '' : '<p class="muted">no open positions</p>') + '</div>';
      h += '<h3>Decisions</h3>' + decisionTable(r[0].decisions, false);
      h += '<div class="card"><h3>Orders</h3><table><thead><tr><th>Created</th><th>Symbol</th><th>Side</th>' +
        '<th>Intent</th><th class="num">Qty</th><th class="num">Fill</th><th>Status</th><th>Client order id</th></tr></thead><tbody>' +
        r[2].orders.map(function (o) {
          return '<tr><td>' + time(o.created_at) + '</td><td>' + esc(o.symbol) + '</td><td>' + esc(o.side) + '</td><td>' +
            esc(o.intent) + '</td><td class="num">' + esc(o.filled_qty) + '/' + esc(o.qty) + '</td><td class="num">' +
            money(o.fill_price) + '</td><td>' + esc(o.status) + (o.reason ? ' <span class="muted">' + esc(o.reason) + '</span>' : '') +
            '</td><td class="muted">' + esc(o.client_order_id) + '</td></tr>';
        }).join('') + '</tbody></table></div>';
      main.innerHTML = h;
    });
  }

  function usersPage() {
    return Promise.all([api('/users'), api('/assignments?limit=50')]).then(function (r) {
      var h = '<h2>Users</h2><div class="card"><table><thead><tr><th>User</th><th>Name</th><th>Department</th>' +
        '<th>Account</th><th>Slack</th></tr></thead><tbody>' + r[0].users.map(function (u) {
          return '<tr><td>' + esc(u.id) + '</td><td>' + esc(u.display_name) + '</td><td>' + esc(u.department) +
            '</td><td>' + (u.account ? '<a href="#/account/' + encodeURIComponent(u.account) + '">' + esc(u.account) + '</a>' :
              '<span class="muted">unassigned</span>') + '</td><td>' + esc(u.slack_user_id) + '</td></tr>';
        }).join('') + '</tbody></table>' + (r[0].users.length ? '' : '<p class="muted">no users</p>') + '</div>';
      h += '<h2>Assignments</h2><div class="card"><table><thead><tr><th>When</th><th>User</th><th>Account</th>' +
        '<th>Previous</th><th>By</th><th>Reason</th></tr></thead><tbody>' + r[1].assignments.map(function (a) {
          return '<tr><td>' + time(a.at) + '</td><td>' + esc(a.user) + '</td><td>' + esc(a.account || '–') +
            '</td><td>' + esc(a.previous || '–') + '</td><td>' + esc(a.assigned_by) + '</td><td>' + esc(a.reason) + '</td></tr>';
        }).join('') + '</tbody></table></div>';
      main.innerHTML = h;
    });
  }

  function refresh() {
    if (!token()) { showLogin(''); return; }
    if (busy) return;
    busy = true;
    var route = location.hash.replace(/^#/, '') || '/';
    var acct = /^\/account\/(.+)$/.exec(route);
    document.getElementById('nav-overview').className = route === '/' || acct ? 'active' : '';
    document.getElementById('nav-users').className = route === '/users' ? 'active' : '';
    var p = acct ? accountPage(decodeURIComponent(acct[1])) : route === '/users' ? usersPage() : overview();
    p.then(function () {
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB') + ' · refresh 5 s';
    }, function (e) {
      if (e.status === 401) showLogin(e.message);
      else statusEl.textContent = 'error: ' + e.message;
    }).then(function () { busy = false; });
  }

  window.addEventListener('hashchange', function () { busy = false; refresh(); });
  setInterval(refresh, REFRESH_MS);
  refresh();
})();
