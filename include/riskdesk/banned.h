/*
 * banned.h - unbounded or unchecked C library calls, turned into compile errors.
 * Included last by every riskdesk source file (see src/internal.h).
 */
#ifndef RISKDESK_BANNED_H
#define RISKDESK_BANNED_H

#define RD_BANNED(func) sorry_##func##_is_banned_in_riskdesk

#undef strcpy
#define strcpy(x, y) RD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) RD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) RD_BANNED(strncpy)
#undef sprintf
#define sprintf(...) RD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) RD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) RD_BANNED(strtok)
#undef atoi
#define atoi(x) RD_BANNED(atoi)
#undef atol
#define atol(x) RD_BANNED(atol)
#undef atof
#define atof(x) RD_BANNED(atof)
#undef gets
#define gets(x) RD_BANNED(gets)

#endif
