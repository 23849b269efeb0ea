/*
 * store_int.h — helpers shared by the store's own files (not part of any interface).
 */
#ifndef FB_STORE_INT_H
#define FB_STORE_INT_H

#include <stddef.h>

/* strdup that keeps NULL as NULL and sets *oom on allocation failure. */
char *store_dup(const char *s, int *oom);
/* Make room for one more element in *v (n used of *cap, each size bytes). -1 on ENOMEM. */
int store_grow(void *v, size_t *cap, size_t n, size_t size);

#endif
