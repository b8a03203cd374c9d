/*
 * smtp.c - a built message out over SMTP with libcurl: smtp:// (with STARTTLS
 * required when asked), smtps:// (TLS from the start), AUTH when a user is
 * given. curl verifies the server's certificate against the system CAs.
 */
#include "riskdesk/notify.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "riskdesk/banned.h"

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ctx)
{
    struct upload *u = ctx;
    size_t n = size * nmemb;

    if (n > u->left)
        n = u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

int rd_smtp_send(const struct rd_smtp *c, const char *from, const char *const *to, size_t nto,
                 const char *msg, size_t len, struct rd_error *err)
{
    char errbuf[CURL_ERROR_SIZE], addr[330], rcpt[330];
    struct curl_slist *list = NULL;
    struct upload u = {msg, len};
    CURL *h = NULL;
    CURLcode cc;
    int rc = RD_OK;

    if (!c->url || (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0))
        return rd_error_set(err, RD_EINVAL, "smtp: URL must start with smtp:// or smtps://");
    if (nto == 0)
        return rd_error_set(err, RD_EINVAL, "smtp: no recipients");
    rc = rd_mail_address(from, addr + 1, sizeof addr - 2, err);
    if (rc != RD_OK)
        return rc;
    addr[0] = '<';
    addr[strlen(addr) + 1] = '\0';
    addr[strlen(addr)] = '>';
    for (size_t i = 0; i < nto; i++) {
        struct curl_slist *l;
        size_t n;

        rc = rd_mail_address(to[i], rcpt + 1, sizeof rcpt - 2, err);
        if (rc != RD_OK)
            goto out;
        rcpt[0] = '<';
        n = strlen(rcpt);
        rcpt[n] = '>';
        rcpt[n + 1] = '\0';
        l = curl_slist_append(list, rcpt);
        if (!l) {
            rc = rd_error_set(err, RD_ENOMEM, "smtp: out of memory");
            goto out;
        }
        list = l;
    }
    h = curl_easy_init();
    if (!h) {
        rc = rd_error_set(err, RD_ENOMEM, "smtp: curl_easy_init failed");
        goto out;
    }
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, c->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 30L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s > 0 && c->timeout_s < 10 ?
                                                   c->timeout_s : 10L);
    if (!strncmp(c->url, "smtp://", 7) && c->starttls)
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->user && c->user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, list);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        int code = cc == CURLE_LOGIN_DENIED            ? RD_EAUTH
                   : cc == CURLE_OPERATION_TIMEDOUT    ? RD_ETIMEOUT
                                                       : RD_EIO;

        rc = rd_error_set(err, code, "smtp %s: %s", c->url,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
out:
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(list);
    return rc;
}
