/*
 * banned.h — unsafe C library calls turned into compile errors (after git's banned.h).
 * Include it last in every .c file, after the system headers it would otherwise break.
 * Use struct buf (buf.h) or snprintf instead.
 */
#ifndef FB_BANNED_H
#define FB_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_feedbackd

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
