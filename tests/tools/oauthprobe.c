/*
 * oauthprobe — drive one struct oauth (include/oauth.h) through a script, with a clock the
 * script sets, so a test can see when the token source goes back to the endpoint: the cache,
 * the margin before expiry, oauth_refused(), and several threads asking at once.
 *
 *   oauthprobe TOKEN_URL CLIENT_ID SECRET SCOPE STEP...
 *     t=N        the clock reads N (seconds)
 *     get        oauth_token(): prints "get new" (a token not seen before) or "get same"
 *     refused    oauth_refused()
 *     threads=N  N threads call oauth_token() at once: prints "threads N tokens K", K the
 *                number of different tokens they got
 * Tokens are compared, never printed. Exit 1 on the first failure, with its message.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fberror.h"
#include "oauth.h"
#include "banned.h"

#define THREADS_MAX 32

static time_t fake_now;

static time_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

struct worker {
	pthread_t th;
	struct oauth *o;
	struct buf tok;
	int rc;
	struct fb_error err;
};

static void *
work(void *arg)
{
	struct worker *w = arg;

	w->rc = oauth_token(w->o, &w->tok, &w->err);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct oauth_settings s = { 0 };
	struct fb_error err;
	struct buf last = BUF_INIT;
	struct oauth *o;

	if (argc < 5) {
		fprintf(stderr, "usage: oauthprobe TOKEN_URL CLIENT_ID SECRET SCOPE STEP...\n");
		return 2;
	}
	s.grant = OAUTH_CLIENT_CREDENTIALS;
	s.token_url = argv[1];
	s.client_id = argv[2];
	s.client_secret = argv[3];
	s.scope = argv[4];
	s.verify = 1;
	s.clock = fake_clock;
	if ((o = oauth_new(&s, &err)) == NULL) {
		fprintf(stderr, "oauthprobe: %s\n", err.msg);
		return 1;
	}
	for (int i = 5; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "t=", 2) == 0) {
			fake_now = (time_t)strtoll(a + 2, NULL, 10);
		} else if (strcmp(a, "get") == 0) {
			struct buf tok = BUF_INIT;

			if (oauth_token(o, &tok, &err) < 0) {
				fprintf(stderr, "oauthprobe: %s\n", err.msg);
				return 1;
			}
			printf("get %s\n", strcmp(tok.data, last.data) == 0 ? "same" : "new");
			buf_reset(&last);
			if (buf_add(&last, tok.data, tok.len) < 0)
				return 1;
			buf_release(&tok);
		} else if (strcmp(a, "refused") == 0) {
			oauth_refused(o);
		} else if (strncmp(a, "threads=", 8) == 0) {
			struct worker w[THREADS_MAX];
			int n = atoi(a + 8), distinct = 0;

			if (n < 1 || n > THREADS_MAX)
				return 2;
			for (int k = 0; k < n; k++) {
				w[k].o = o;
				buf_init(&w[k].tok);
				pthread_create(&w[k].th, NULL, work, &w[k]);
			}
			for (int k = 0; k < n; k++)
				pthread_join(w[k].th, NULL);
			for (int k = 0; k < n; k++) {
				int seen = 0;

				if (w[k].rc < 0) {
					fprintf(stderr, "oauthprobe: %s\n", w[k].err.msg);
					return 1;
				}
				for (int j = 0; j < k; j++)
					seen |= strcmp(w[j].tok.data, w[k].tok.data) == 0;
				distinct += !seen;
			}
			printf("threads %d tokens %d\n", n, distinct);
			for (int k = 0; k < n; k++)
				buf_release(&w[k].tok);
		} else {
			fprintf(stderr, "oauthprobe: unknown step \"%s\"\n", a);
			return 2;
		}
	}
	buf_release(&last);
	oauth_free(o);
	return 0;
}
