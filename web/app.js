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

  function api(path, body) {   /* GET, or POST of a JSON body */
    var opt = { headers: { Authorization: 'Bearer ' + token() } };
    if (body !== undefined) {
      opt.method = 'POST';
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    return fetch('/api/v1' + path, opt)
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

  /* ---- hand-drawn SVG line chart: pts = [{t: ms, v: number}]; opt.fmt formats
   * the value labels (default short), opt.dates labels the time axis by day ---- */
  function chart(pts, cls, limit, step, opt) {
    opt = opt || {};
    var fmt = opt.fmt || short;
    var W = 300, H = 140, L = 46, R = 8, T = 10, B = 22;
    if (!pts.length) return '<p class="muted">no data yet</p>';
    var t0 = pts[0].t, t1 = pts[pts.length - 1].t;
    var vs = pts.map(function (p) { return p.v; });
    if (limit !== null && limit !== undefined) vs.push(limit);
    var lo = Math.min.apply(null, vs), hi = Math.max.apply(null, vs);
    if (hi === lo) { hi += Math.abs(hi) * 0.01 || 1; lo -= Math.abs(lo) * 0.01 || 1; }
    function x(t) { return t1 === t0 ? L + (W - L - R) / 2 : L + (W - L - R) * (t - t0) / (t1 - t0); }
    function y(v) { return T + (H - T - B) * (hi - v) / (hi - lo); }
    var s = '<svg class="chart' + (opt.id ? '" data-chart="' + esc(opt.id) : '') + '" viewBox="0 0 ' + W + ' ' + H +
      '" preserveAspectRatio="none">';
    s += '<line class="axis" x1="' + L + '" y1="' + (H - B) + '" x2="' + (W - R) + '" y2="' + (H - B) + '"/>';
    s += '<line class="axis" x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + (H - B) + '"/>';
    s += '<text x="' + (L - 4) + '" y="' + (T + 4) + '" text-anchor="end">' + fmt(hi) + '</text>';
    s += '<text x="' + (L - 4) + '" y="' + (H - B) + '" text-anchor="end">' + fmt(lo) + '</text>';
    s += '<text x="' + L + '" y="' + (H - 6) + '">' + esc(new Date(t0).toISOString().slice(0, 10)) + '</text>';
    s += '<text x="' + (W - R) + '" y="' + (H - 6) + '" text-anchor="end">' +
      esc(new Date(t1).toISOString().slice(0, opt.dates ? 10 : 16).replace('T', ' ')) + '</text>';
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
      var h = '<div class="card"><table class="accounts"><thead><tr><th>Account</th><th>Tier</th><th>State</th>' +
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
          '<td class="ks"><span class="pill ' + (halted ? 'bad' : 'good') + '">' + (halted ? 'ON' : 'off') + '</span>' +
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
        esc(g.reason + ': observed ' + (g.observed === null ? 'none' : g.observed) +
          ', threshold ' + (g.threshold === null ? 'none' : g.threshold)) + '">' +
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

  /* ---- performance: metrics from the store's daily snapshots (docs/metrics.md) ---- */
  var PERIODS = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'itd'];
  var REPORT_KEYS = [['cum_return', 'Cumulative return', 'pct'], ['annual_return', 'Annual return (CAGR)', 'pct'],
    ['annual_volatility', 'Annual volatility', 'pct'], ['sharpe', 'Sharpe', 'ratio'], ['sortino', 'Sortino', 'ratio'],
    ['calmar', 'Calmar', 'ratio'], ['max_drawdown', 'Max drawdown', 'pct'], ['omega', 'Omega', 'ratio'],
    ['tail_ratio', 'Tail ratio', 'ratio'], ['downside_risk', 'Downside risk', 'pct'], ['var_95', 'VaR 95 %', 'pct'],
    ['cvar_95', 'CVaR 95 %', 'pct'], ['stability', 'Stability', 'ratio']];

  /* a metric as the API gives it: a number, null (NaN) or "Infinity"/"-Infinity" */
  function metric(v, kind) {
    if (v === null || v === undefined) return '<span class="muted">–</span>';
    if (typeof v === 'string') return v.charAt(0) === '-' ? '−∞' : '∞';
    if (kind === 'pct') return (v * 100).toFixed(2) + ' %';
    return v.toFixed(3);
  }
  function metricCell(v, kind, key) {
    var cls = typeof v === 'number' && kind === 'pct' ? (v < 0 ? ' bad' : v > 0 ? ' good' : '') : '';
    return '<td class="num' + cls + '" data-key="' + esc(key) + '">' + metric(v, kind) + '</td>';
  }
  function pct1(v) { return (v * 100).toFixed(1) + '%'; }
  /* annualised figures and ratios mean nothing over a few days: shown only once
   * the account has min_tracking_days of snapshots (the API says: annualised) */
  var ANNUALISED = { annual_return: 1, annual_volatility: 1, downside_risk: 1, sharpe: 1, sortino: 1,
    calmar: 1, omega: 1, tail_ratio: 1, stability: 1 };
  function gatedCell(src, v, kind, key) {
    if (!ANNUALISED[key] || !src || src.annualised !== false) return metricCell(v, kind, key);
    return '<td class="num" data-key="' + esc(key) + '" title="' + esc('shown after ' + src.min_tracking_days +
      ' days of tracking; ' + src.tracking_days + ' so far') + '"><span class="muted">–</span></td>';
  }

  /* equity and its drawdown (equity / running peak - 1) from the daily snapshots */
  function equityCurves(snaps) {
    var peak = -Infinity, eq = [], dd = [];
    snaps.forEach(function (s) {
      var v = num(s.equity), t = Date.parse(s.date + 'T21:00:00Z');
      if (v === null) return;
      if (v > peak) peak = v;
      eq.push({ t: t, v: v });
      dd.push({ t: t, v: peak > 0 ? v / peak - 1 : 0 });
    });
    return { eq: eq, dd: dd };
  }

  function performancePage(period) {
    return Promise.all([api('/performance/dashboard'), api('/performance/snapshots')]).then(function (r) {
      var dash = r[0], byAcct = {};
      r[1].snapshots.forEach(function (s) { (byAcct[s.account] = byAcct[s.account] || []).push(s); });
      var withSnaps = dash.accounts.filter(function (a) { return a.snapshots > 0; });
      var reports = Promise.all(withSnaps.map(function (a) {
        return api('/accounts/' + encodeURIComponent(a.account) + '/performance?period=' + period)
          .catch(function (e) { return { account: a.account, error: e.message }; });
      }));
      var names = withSnaps.filter(function (a) { return a.snapshots >= 2; }).map(function (a) { return a.account; });
      var cmp = names.length >= 2 ? api('/performance/compare', { accounts: names }).catch(function (e) {
        return { error: e.message };
      }) : Promise.resolve(null);
      return Promise.all([reports, cmp]).then(function (x) {
        return { dash: dash, snaps: byAcct, reports: x[0], cmp: x[1] };
      });
    }).then(function (d) {
      var h = '<h2>Performance <span class="muted">(daily snapshots; rf from the config)</span></h2>';
      /* key metrics of every account: daily, since inception */
      h += '<div class="card" id="perf-summary"><h3>Key metrics <span class="muted">(daily returns)</span></h3>' +
        '<table><thead><tr><th>Account</th><th class="num">Snapshots</th><th>Latest</th><th class="num">Equity</th>' +
        '<th class="num">Drawdown now</th><th class="num">Cum. return</th><th class="num">Annual return</th>' +
        '<th class="num">Sharpe</th><th class="num">Max drawdown</th><th class="num">Trades</th>' +
        '<th class="num">Win rate</th><th>Alerts</th></tr></thead><tbody>';
      d.dash.accounts.forEach(function (a) {
        var n = encodeURIComponent(a.account);
        h += '<tr data-perf-account="' + esc(a.account) + '"><td><a href="#/account/' + n + '">' + esc(a.account) +
          '</a></td><td class="num">' + esc(a.snapshots) + '</td>';
        if (!a.snapshots) {
          h += '<td colspan="10" class="muted">no snapshots yet (riskdesk perf snapshot, or run its dispatcher)</td></tr>';
          return;
        }
        var al = Object.keys(a.alerts || {}).filter(function (k) { return a.alerts[k] > 0; }).map(function (k) {
          return '<span class="pill bad">' + esc(k) + ' ' + esc(a.alerts[k]) + '</span>';
        }).join(' ');
        h += '<td>' + esc(a.date) + '</td><td class="num">' + money(a.equity) + '</td>' +
          metricCell(a.drawdown, 'pct', 'drawdown') + metricCell(a.cum_return, 'pct', 'cum_return') +
          gatedCell(a, a.annual_return, 'pct', 'annual_return') + gatedCell(a, a.sharpe, 'ratio', 'sharpe') +
          metricCell(a.max_drawdown, 'pct', 'max_drawdown') + '<td class="num">' + esc(a.trades) + '</td>' +
          metricCell(a.win_rate, 'pct', 'win_rate') + '<td>' + (al || '<span class="muted">none</span>') + '</td></tr>';
      });
      h += '</tbody></table></div>';

      /* charts: equity and drawdown per account */
      var charts = '';
      d.dash.accounts.forEach(function (a) {
        var c = equityCurves(d.snaps[a.account] || []);
        if (!c.eq.length) return;
        charts += '<div class="card"><h3>' + esc(a.account) + ' · equity</h3>' +
          chart(c.eq, '', null, false, { dates: true, id: 'equity-' + a.account }) + '</div>' +
          '<div class="card"><h3>' + esc(a.account) + ' · drawdown <span class="muted">(equity / peak − 1)</span></h3>' +
          chart(c.dd, 'dd', 0, false, { dates: true, fmt: pct1, id: 'drawdown-' + a.account }) + '</div>';
      });
      h += '<h2>Equity and drawdown</h2><div class="charts">' + (charts || '<p class="muted">no snapshots yet</p>') + '</div>';

      /* the period report: metrics of the returns per period, side by side */
      h += '<h2>Report by period <select id="perf-period" title="aggregation of the returns">' +
        PERIODS.map(function (p) {
          return '<option value="' + p + '"' + (p === period ? ' selected' : '') + '>' + p + '</option>';
        }).join('') + '</select></h2>';
      var reps = d.reports.filter(function (x) { return !x.error; });
      d.reports.filter(function (x) { return x.error; }).forEach(function (x) {
        h += '<p class="bad">' + esc(x.account) + ': ' + esc(x.error) + '</p>';
      });
      if (reps.length) {
        h += '<div class="card" id="perf-report" data-period="' + esc(period) + '"><table><thead><tr><th>' +
          esc(period) + ' returns</th>' + reps.map(function (x) {
            return '<th class="num">' + esc(x.account) + '</th>';
          }).join('') + '</tr></thead><tbody>';
        h += '<tr><td>Range</td>' + reps.map(function (x) {
          return '<td class="num">' + esc(x.from) + ' – ' + esc(x.to) + '</td>';
        }).join('') + '</tr>';
        h += '<tr><td>Returns (annualization)</td>' + reps.map(function (x) {
          return '<td class="num">' + esc(x.returns_count) + ' (' + esc(x.annualization) + ')</td>';
        }).join('') + '</tr>';
        REPORT_KEYS.forEach(function (k) {
          h += '<tr data-metric="' + k[0] + '"><td>' + esc(k[1]) + '</td>' + reps.map(function (x) {
            return gatedCell(x, x.metrics[k[0]], k[2], k[0]);
          }).join('') + '</tr>';
        });
        h += '<tr><td>Profit factor (trades)</td>' + reps.map(function (x) {
          return metricCell(x.trades.profit_factor, 'ratio', 'profit_factor');
        }).join('') + '</tr></tbody></table></div>';
        /* the latest periods' returns */
        h += '<div class="charts">' + reps.map(function (x) {
          var last = x.returns.slice(-8).reverse();
          return '<div class="card"><h3>' + esc(x.account) + ' · ' + (period === 'itd' ? 'cumulative return' :
            'latest ' + esc(period) + ' returns') + '</h3><table><tbody>' + last.map(function (p) {
            return '<tr><td>' + esc(p.period) + '</td>' + metricCell(p['return'], 'pct', 'return') + '</tr>';
          }).join('') + '</tbody></table>' + (last.length ? '' : '<p class="muted">no returns in this period</p>') +
            '</div>';
        }).join('') + '</div>';
      }

      /* accounts side by side: rank, correlation, Welch's t-test */
      if (d.cmp && d.cmp.error) {
        h += '<h2>Comparison</h2><p class="muted">' + esc(d.cmp.error) + '</p>';
      } else if (d.cmp) {
        var c = d.cmp, acc = c.correlation.accounts, tracked = {};
        d.dash.accounts.forEach(function (a) { tracked[a.account] = a; });
        h += '<h2>Comparison <span class="muted">(ranked by Sharpe; ' + esc(c.common.days) +
          ' common days)</span></h2><div class="charts wide"><div class="card" id="perf-compare"><table><thead><tr>' +
          '<th>#</th><th>Account</th><th class="num">Sharpe</th><th class="num">Cum. return</th>' +
          '<th class="num">Max drawdown</th></tr></thead><tbody>' + c.accounts.map(function (x) {
            return '<tr><td>' + esc(x.rank) + '</td><td>' + esc(x.account) + '</td>' +
              gatedCell(tracked[x.account], x.metrics.sharpe, 'ratio', 'sharpe') +
              metricCell(x.metrics.cum_return, 'pct', 'cum_return') +
              metricCell(x.metrics.max_drawdown, 'pct', 'max_drawdown') + '</tr>';
          }).join('') + '</tbody></table></div>';
        h += '<div class="card"><h3>Correlation of daily returns</h3><table><thead><tr><th></th>' +
          acc.map(function (n) { return '<th class="num">' + esc(n) + '</th>'; }).join('') + '</tr></thead><tbody>' +
          c.correlation.matrix.map(function (row, i) {
            return '<tr><td>' + esc(acc[i]) + '</td>' + row.map(function (v) {
              return metricCell(v, 'ratio', 'correlation');
            }).join('') + '</tr>';
          }).join('') + '</tbody></table>' + c.tests.map(function (t) {
            return '<p>' + esc(t.a) + ' vs ' + esc(t.b) + ': Welch p = ' + metric(t.p, 'ratio') + ' · ' +
              (t.significant ? '<span class="pill warn">significant</span>' : '<span class="muted">not significant</span>') +
              '</p>';
          }).join('') + '</div></div>';
      }

      /* newest alerts from the audit trail */
      var ra = d.dash.recent_alerts || [];
      h += '<h2>Recent alerts</h2><div class="card"><table><thead><tr><th>Date</th><th>Account</th><th>Kind</th>' +
        '<th class="num">Loss</th><th class="num">Threshold</th><th>Message</th></tr></thead><tbody>' +
        ra.map(function (e) {
          return '<tr><td>' + esc(e.date) + '</td><td>' + esc(e.account) + '</td><td><span class="pill bad">' +
            esc(e.kind) + '</span></td>' + metricCell(e.loss, 'pct', 'loss') + metricCell(e.threshold, 'pct', 'threshold') +
            '<td class="muted" style="white-space:normal">' + esc(e.message) + '</td></tr>';
        }).join('') + '</tbody></table>' + (ra.length ? '' : '<p class="muted">no alerts</p>') + '</div>';

      main.innerHTML = h;
      document.getElementById('perf-period').addEventListener('change', function (e) {
        location.hash = '#/performance/' + e.target.value;
      });
    });
  }

  /* the account hierarchy: each tree from its root, every node with its type,
   * state, capital and return (perf hierarchy: net of flows over the
   * snapshots; – before two days of them), linked to its account's page */
  function hierarchyPage() {
    return api('/accounts').then(function (d) {
      return Promise.all(d.accounts.map(function (a) {
        return api('/accounts/' + encodeURIComponent(a.name) + '/hierarchy').catch(function (e) {
          if (e.status === 404 || e.status === 403) return null;   /* not a node, or not ours */
          throw e;
        });
      }));
    }).then(function (trees) {
      var known = {};
      trees = trees.filter(function (t) { return t; });
      trees.forEach(function (t) { t.nodes.forEach(function (n) { known[n.account] = 1; }); });
      var tops = trees.filter(function (t) {   /* a root, or the highest node the caller sees */
        var top = t.nodes.filter(function (n) { return n.account === t.root; })[0];
        return top && (!top.parent || !known[top.parent]);
      });
      return Promise.all(tops.map(function (t) {
        return api('/performance/hierarchy?root=' + encodeURIComponent(t.root))
          .catch(function (e) { if (e.status === 404) return null; throw e; })
          .then(function (perf) { return { tree: t, perf: perf }; });
      }));
    }).then(function (rows) {
      var h = '<h2>Hierarchy</h2>';
      if (!rows.length) h += '<div class="card"><p class="muted">no account is a node of the hierarchy ' +
        '(riskdesk hierarchy init)</p></div>';
      rows.forEach(function (x) {
        var t = x.tree, ret = {}, depth0 = t.nodes[0] ? t.nodes[0].depth : 0;
        if (x.perf) x.perf.nodes.forEach(function (n) { ret[n.account] = n['return']; });
        h += '<div class="card" data-tree="' + esc(t.root) + '"><h3>' + esc(t.root) +
          (x.perf ? ' <span class="muted">· return ' + metric(x.perf['return'], 'pct') + '</span>' : '') +
          '</h3><table class="hierarchy"><thead><tr><th>Node</th><th>Type</th><th>State</th>' +
          '<th class="num">Capital</th><th class="num">Surplus</th><th class="num">Return</th>' +
          '</tr></thead><tbody>' + t.nodes.map(function (n) {
            var st = n.state === 'ACTIVE' ? 'good' : n.state === 'CLOSED' || n.state === 'ERROR' ? 'bad' : 'warn';
            return '<tr data-node="' + esc(n.account) + '"><td style="padding-left:' +
              (8 + 20 * (n.depth - depth0)) + 'px">' + (n.depth > depth0 ? '└ ' : '') + '<a href="#/account/' +
              encodeURIComponent(n.account) + '">' + esc(n.account) + '</a></td><td data-key="type">' +
              esc(n.type) + '</td><td><span class="pill ' + st + '" data-key="state">' + esc(n.state) +
              '</span></td><td class="num" data-key="capital">' + money(n.capital) +
              '</td><td class="num" data-key="surplus">' + money(n.surplus) + '</td>' +
              metricCell(n.account in ret ? ret[n.account] : null, 'pct', 'return') + '</tr>';
          }).join('') + '</tbody></table></div>';
      });
      main.innerHTML = h;
    });
  }

  /* what-if replay (POST /replay): an account, a window, its limits as they
   * are (GET /accounts/{id}/config) with any of them edited; the answer's
   * totals and every decision that changes. The form lives in the hash
   * (#/replay/NAME&from=DAY&to=DAY&set.KEY=VALUE...), so a replay is a link. */
  function replayParams(route) {
    var m = /^\/replay(?:\/([^&]*))?(.*)$/.exec(route) || [];
    var q = { account: m[1] ? decodeURIComponent(m[1]) : '', from: '', to: '', set: {} };
    (m[2] || '').split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i < 0) return;
      var k = decodeURIComponent(kv.slice(0, i)), v = decodeURIComponent(kv.slice(i + 1));
      if (k === 'from' || k === 'to') q[k] = v;
      else if (k.indexOf('set.') === 0) q.set[k.slice(4)] = v;
    });
    return q;
  }
  function isScalar(v) { return v === null || ['number', 'string', 'boolean'].indexOf(typeof v) >= 0; }
  /* an edited value in the type the limit has (a decimal string stays a string) */
  function typed(cur, text) {
    if (typeof cur === 'number') { var n = Number(text); return text.trim() === '' || isNaN(n) ? text : n; }
    if (typeof cur === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
    return text;
  }
  function replayResult(res) {
    var t = res.totals, p = res.pnl;
    var h = '<div class="card" id="replay-result"><p data-key="summary">' + esc(res.account) + ' ' +
      esc(res.from) + '..' + esc(res.to) + ': ' + res.decisions + ' decisions, ' + res.replayed +
      ' replayed, ' + res.identical + ' identical, ' + res.not_recorded + ' recorded before riskdesk kept ' +
      'their inputs</p><table><thead><tr><th></th><th class="num">was</th><th class="num">now</th></tr>' +
      '</thead><tbody>' + ['approved', 'rejected', 'contracts', 'notional'].map(function (k) {
        var f = k === 'notional' ? money : esc;
        return '<tr data-total="' + k + '"><td>' + k + '</td><td class="num" data-key="was">' + f(t.was[k]) +
          '</td><td class="num" data-key="now">' + f(t.now[k]) + '</td></tr>';
      }).join('') + '</tbody></table><p data-key="changes">' + res.changes.now_rejected + ' now rejected, ' +
      res.changes.now_approved + ' now approved, ' + res.changes.resized + ' resized</p>' +
      '<p data-key="pnl">recorded P&amp;L of closed trades: was ' + money(p.was) + ', kept ' + money(p.kept) +
      ', dropped ' + money(p.dropped) + '; ' + p.open_trades + ' still open; ' + p.added_trades +
      ' trades added (' + p.added_contracts + ' contracts), not priced</p></div>';
    h += '<div class="card"><h3>Decisions that change</h3>' + (res.changed.length ? '<table><thead><tr>' +
      '<th>Decided</th><th>Recommendation</th><th>Symbol</th><th>Change</th><th>Gate</th>' +
      '<th class="num">Size</th><th class="num">Recorded P&amp;L</th></tr></thead><tbody>' +
      res.changed.map(function (c) {
        return '<tr data-decision="' + c.decision_id + '"><td>' + time(c.decided_at) + '</td><td>' +
          esc(c.rec_id) + '</td><td>' + esc(c.symbol) + '</td><td><span class="pill ' +
          (c.change === 'now_approved' ? 'good' : c.change === 'now_rejected' ? 'bad' : 'warn') +
          '" data-key="change">' + esc(c.change) + '</span></td><td data-key="gate">' + esc(c.gate) +
          (c.reason ? ': ' + esc(c.reason) : '') + '</td><td class="num" data-key="size">' + c.was_size +
          ' → ' + c.now_size + '</td><td class="num">' + (c.pnl === null ? '<span class="muted">' +
          esc(c.trade) + '</span>' : money(c.pnl)) + '</td></tr>';
      }).join('') + '</tbody></table>' : '<p class="muted">no decision changes</p>') + '</div>';
    return h;
  }
  function replayPage(route) {
    var q = replayParams(route);
    return api('/accounts').then(function (d) {
      var names = d.accounts.map(function (a) { return a.name; });
      if (!q.account && names.length) q.account = names[0];
      return Promise.all([names, q.account ? api('/accounts/' + encodeURIComponent(q.account) + '/config') : null]);
    }).then(function (r) {
      var names = r[0], limits = r[1] ? r[1].limits : {}, risk = {};
      /* the config's risk section from the limits in force, "pdt.enabled" as pdt: {enabled} */
      Object.keys(limits).forEach(function (k) {
        var v = k in q.set ? typed(limits[k], q.set[k]) : limits[k], dot = k.indexOf('.');
        if (dot < 0) { risk[k] = v; return; }
        (risk[k.slice(0, dot)] = risk[k.slice(0, dot)] || {})[k.slice(dot + 1)] = v;
      });
      var run = q.account && q.from && q.to ?
        api('/replay', { account: q.account, from: q.from, to: q.to, risk: risk }).then(function (res) {
          return { res: res };
        }, function (e) { if (e.status === 401) throw e; return { error: e.message }; }) : Promise.resolve({});
      return run.then(function (x) { x.names = names; x.limits = limits; return x; });
    }).then(function (x) {
      var h = '<h2>What-if replay</h2><form id="replay-form" class="card"><p>' +
        '<label>Account <select id="replay-account">' + x.names.map(function (n) {
          return '<option' + (n === q.account ? ' selected' : '') + '>' + esc(n) + '</option>';
        }).join('') + '</select></label> <label>From <input id="replay-from" type="date" value="' + esc(q.from) +
        '"></label> <label>To <input id="replay-to" type="date" value="' + esc(q.to) + '"></label> ' +
        '<button type="submit">Replay</button></p><p class="muted">Every decision the account made in the ' +
        'window is decided again under these limits, from the state recorded at its moment; nothing is ' +
        'written and no broker is asked.</p><table class="limits"><thead><tr><th>Limit</th>' +
        '<th>In force</th><th>What if</th></tr></thead><tbody>' +
        Object.keys(x.limits).filter(function (k) { return isScalar(x.limits[k]); }).map(function (k) {
          var set = k in q.set;
          return '<tr data-limit="' + esc(k) + '"' + (set ? ' class="edited"' : '') + '><td>' + esc(k) +
            '</td><td data-key="in_force">' + esc(x.limits[k]) + '</td><td><input name="' + esc(k) +
            '" value="' + esc(set ? q.set[k] : '') + '" placeholder="' + esc(x.limits[k]) + '"></td></tr>';
        }).join('') + '</tbody></table></form>';
      if (x.error) h += '<div class="card"><p class="bad" id="replay-error">' + esc(x.error) + '</p></div>';
      if (x.res) h += replayResult(x.res);
      main.innerHTML = h;
      document.getElementById('replay-account').addEventListener('change', function (e) {
        location.hash = '#/replay/' + encodeURIComponent(e.target.value);
      });
      document.getElementById('replay-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var hash = '#/replay/' + encodeURIComponent(document.getElementById('replay-account').value) +
          '&from=' + encodeURIComponent(document.getElementById('replay-from').value) +
          '&to=' + encodeURIComponent(document.getElementById('replay-to').value);
        Array.prototype.forEach.call(main.querySelectorAll('table.limits input'), function (i) {
          if (i.value.trim() !== '') hash += '&set.' + encodeURIComponent(i.name) + '=' + encodeURIComponent(i.value.trim());
        });
        location.hash = hash;
      });
    });
  }

  var replayShown = null;   /* the replay page is a form: not redrawn every 5 s */
  function refresh() {
    if (!token()) { showLogin(''); return; }
    var route = location.hash.replace(/^#/, '') || '/';
    var replay = /^\/replay(\/|&|$)/.test(route);
    if (busy || (replay && replayShown === route)) return;
    busy = true;
    replayShown = replay ? route : null;
    var acct = /^\/account\/(.+)$/.exec(route);
    var perf = /^\/performance(?:\/([a-z]+))?$/.exec(route);
    var period = perf && PERIODS.indexOf(perf[1]) >= 0 ? perf[1] : 'daily';
    document.getElementById('nav-overview').className = route === '/' || acct ? 'active' : '';
    document.getElementById('nav-performance').className = perf ? 'active' : '';
    document.getElementById('nav-users').className = route === '/users' ? 'active' : '';
    document.getElementById('nav-hierarchy').className = route === '/hierarchy' ? 'active' : '';
    document.getElementById('nav-replay').className = replay ? 'active' : '';
    var p = acct ? accountPage(decodeURIComponent(acct[1])) : perf ? performancePage(period) :
      replay ? replayPage(route) : route === '/users' ? usersPage() : route === '/hierarchy' ? hierarchyPage() :
      overview();
    p.then(function () {
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB') +
        (replay ? '' : ' · refresh 5 s');
    }, function (e) {
      if (replay) replayShown = null;
      if (e.status === 401) showLogin(e.message);
      else statusEl.textContent = 'error: ' + e.message;
    }).then(function () { busy = false; });
  }

  window.addEventListener('hashchange', function () { busy = false; refresh(); });
  setInterval(refresh, REFRESH_MS);
  refresh();
})();
