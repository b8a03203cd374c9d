/*
 * fuzz_aws_error - the parsers of src/cloud that read what outsiders write:
 * AWS error answers (JSON, XML, the X-Amzn-ErrorType header), the shared
 * credentials file (INI) and endpoint URLs. The first byte picks the parser.
 *
 * Every output must be NUL-terminated inside its buffer; error codes and
 * messages printable ASCII; an error code never holds '#' or ':' (botocore's
 * cleaning); an INI value never longer than the buffer; a split URL's host
 * free of '@', '/', spaces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable_or_die(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n == cap)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char code[48], msg[96], out[24], host[64], *text;
    const char *path;
    int https, has, rc;

    if (size < 1)
        return 0;
    text = malloc(size);                 /* exact size: over-reads hit ASan */
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    switch (data[0] % 4) {
    case 0:   /* a body, no header */
    case 1:   /* the last 20 bytes as the header value */
        if (data[0] % 4 == 1 && size > 21) {
            char hdr[21];

            memcpy(hdr, text + size - 21, 20);
            hdr[20] = '\0';
            rd_aws_error_parse(text, size - 21, hdr, code, sizeof code, msg, sizeof msg);
        } else {
            rd_aws_error_parse(text, size - 1, NULL, code, sizeof code, msg, sizeof msg);
        }
        printable_or_die(code, sizeof code);
        printable_or_die(msg, sizeof msg);
        if (strchr(code, '#') || strchr(code, ':'))
            abort();
        (void)rd_aws_error_class(code, (long)(data[0]) * 3, &rc);
        break;
    case 2:
        rc = rd_aws_ini_get(text, size - 1, "default", "aws_access_key_id", out, sizeof out, &has);
        if (rc == 1 && strnlen(out, sizeof out) == sizeof out)
            abort();
        rc = rd_aws_ini_get(text, size - 1, "p", "k", out, sizeof out, NULL);
        if (rc < -1 || rc > 1)
            abort();
        break;
    default: {
        char *url = malloc(size);

        if (!url)
            break;
        memcpy(url, data + 1, size - 1);
        url[size - 1] = '\0';
        if (rd_aws_url_split(url, host, sizeof host, &path, &https) == RD_OK) {
            if (!host[0] || strpbrk(host, "@/ ?#") || strnlen(host, sizeof host) == sizeof host)
                abort();
            if (path[0] && path[0] != '/')
                abort();
        }
        free(url);
        break;
    }
    }
    free(text);
    return 0;
}
