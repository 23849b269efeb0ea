/*
 * fbrandom — random bytes from the kernel (getrandom(2)), for the shell to hand to the core
 * (token_new(), token_message_id(), compose_build()), which takes randomness as an input like
 * the time.
 */
#ifndef FB_FBRANDOM_H
#define FB_FBRANDOM_H

#include <stddef.h>

#include "fberror.h"

/* Fill p with n random bytes. 0, or -1 with err when the system has no randomness to give. */
int fbrandom_bytes(void *p, size_t n, struct fb_error *err);

#endif
