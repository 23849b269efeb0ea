/*
 * oauth — the OAuth 2.0 token source (include/oauth.h): libcurl speaks to the token endpoint,
 * jansson reads its answers, OpenSSL signs the service account's JWT.
 *
 * One request at a time per struct oauth: the mutex is held across the HTTP exchange, so SMTP
 * sessions that all find the token stale wait for one fetch instead of each fetching (and, with
 * a rotating refresh token, invalidating each other's).
 *
 * The refresh token is read from token_file at every fetch rather than once: `feedbackctl oauth
 * login` may have replaced it while the daemon runs. A rotated one is written back (tmp, fsync,
 * rename, fsync of the directory) before the access token that came with it is handed out, so a
 * crash never leaves the file holding a token the endpoint has already retired.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "fberror.h"
#include "oauth.h"
#include "banned.h"

#define OAUTH_REPLY_MAX   (64 * 1024)  /* a token answer is a few KiB; more is hostile */
#define OAUTH_FILE_MAX    (16 * 1024)  /* a refresh token file */
#define OAUTH_MARGIN_MAX  300          /* refetch this long before expiry, at most ... */
#define OAUTH_JWT_LIFE    3600         /* Google refuses assertions valid for longer */
#define OAUTH_DESC_MAX    300          /* of an endpoint's error_description, in our messages */

static const char GRANT_DEVICE[] = "urn:ietf:params:oauth:grant-type:device_code";
static const char GRANT_JWT[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct oauth {
	pthread_mutex_t lock;
	enum oauth_grant grant;
	char *token_url;
	char *client_id;
	char *client_secret;
	char *scope;
	char *token_file;
	char *subject;
	char *ca_file;
	int verify;
	int timeout;
	time_t (*clock)(void *arg);
	void *clock_arg;
	/* OAUTH_SERVICE_ACCOUNT */
	EVP_PKEY *key;
	char *sa_email;
	char *sa_key_id;
	/* the token in hand */
	char *token;          /* NULL: none */
	time_t expires;
	time_t margin;
	char *granted_scope;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void
curl_init_once(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

const char *
oauth_grant_name(enum oauth_grant g)
{
	switch (g) {
	case OAUTH_CLIENT_CREDENTIALS: return "client_credentials";
	case OAUTH_REFRESH_TOKEN: return "refresh_token";
	case OAUTH_SERVICE_ACCOUNT: return "service_account";
	}
	return "?";
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* strdup of an optional setting: NULL and "" both mean unset. */
static int
dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	*dst = strdup(s);
	return *dst == NULL ? -1 : 0;
}

/* https:// anywhere; http:// only to the loopback addresses, for tests. */
static int
url_allowed(const char *url)
{
	static const char *const loop[] = { "http://127.0.0.1", "http://[::1]" };
	size_t i, n;

	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	for (i = 0; i < sizeof loop / sizeof loop[0]; i++) {
		n = strlen(loop[i]);
		if (strncasecmp(url, loop[i], n) == 0 &&
		    (url[n] == ':' || url[n] == '/' || url[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The field's string from a JSON object, or NULL when it is absent or not a string. */
static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
load_service_account(struct oauth *o, const char *key_json, char **token_uri, struct fb_error *err)
{
	json_error_t je;
	json_t *k = json_loads(key_json, 0, &je);
	const char *type, *email, *pem, *uri, *kid;
	BIO *bio;
	int rc = -1;

	if (k == NULL || !json_is_object(k)) {
		fb_error_set(err, "the service account key is not JSON (line %d: %s); download the "
		    "key of the service account again (JSON format)", je.line, je.text);
		goto out;
	}
	type = jstr(k, "type");
	email = jstr(k, "client_email");
	pem = jstr(k, "private_key");
	uri = jstr(k, "token_uri");
	kid = jstr(k, "private_key_id");
	if (type == NULL || strcmp(type, "service_account") != 0 || email == NULL || pem == NULL) {
		fb_error_set(err, "the key file is not a service account key (it needs \"type\": "
		    "\"service_account\", client_email and private_key)");
		goto out;
	}
	bio = BIO_new_mem_buf(pem, -1);
	if (bio != NULL)
		o->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (o->key == NULL || EVP_PKEY_get_base_id(o->key) != EVP_PKEY_RSA) {
		fb_error_set(err, "the service account key's private_key is not an RSA key in PEM");
		goto out;
	}
	if ((o->sa_email = strdup(email)) == NULL || dup_opt(&o->sa_key_id, kid) < 0 ||
	    dup_opt(token_uri, uri) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(k);
	return rc;
}

struct oauth *
oauth_new(const struct oauth_settings *s, struct fb_error *err)
{
	struct oauth *o;
	char *key_uri = NULL;

	pthread_once(&curl_once, curl_init_once);
	if (!curl_ready) {
		fb_error_set(err, "libcurl could not be initialised");
		return NULL;
	}
	if (s->clock == NULL) {
		fb_error_set(err, "oauth: no clock (a programming error)");
		return NULL;
	}
	if ((o = calloc(1, sizeof *o)) == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&o->lock, NULL);
	o->grant = s->grant;
	o->verify = s->verify;
	o->timeout = s->timeout > 0 ? s->timeout : 30;
	o->clock = s->clock;
	o->clock_arg = s->clock_arg;
	if (dup_opt(&o->token_url, s->token_url) < 0 || dup_opt(&o->client_id, s->client_id) < 0 ||
	    dup_opt(&o->client_secret, s->client_secret) < 0 || dup_opt(&o->scope, s->scope) < 0 ||
	    dup_opt(&o->token_file, s->token_file) < 0 || dup_opt(&o->subject, s->subject) < 0 ||
	    dup_opt(&o->ca_file, s->ca_file) < 0) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	switch (s->grant) {
	case OAUTH_CLIENT_CREDENTIALS:
		if (o->client_id == NULL || o->client_secret == NULL) {
			fb_error_set(err, "the client_credentials grant needs a client id and a client secret");
			goto fail;
		}
		break;
	case OAUTH_REFRESH_TOKEN:
		if (o->client_id == NULL || o->token_file == NULL) {
			fb_error_set(err, "the refresh_token grant needs a client id and a token file");
			goto fail;
		}
		break;
	case OAUTH_SERVICE_ACCOUNT:
		if (s->key_json == NULL || o->subject == NULL) {
			fb_error_set(err, "the service_account grant needs a key file and the mailbox "
			    "it acts for (the user name)");
			goto fail;
		}
		if (load_service_account(o, s->key_json, &key_uri, err) < 0)
			goto fail;
		if (o->token_url == NULL) {
			o->token_url = key_uri;
			key_uri = NULL;
		}
		break;
	default:
		fb_error_set(err, "unknown OAuth grant %d", (int)s->grant);
		goto fail;
	}
	free(key_uri);
	key_uri = NULL;
	if (o->token_url == NULL) {
		fb_error_set(err, "no token endpoint (set oauth_token_url, or oauth_tenant for Microsoft 365)");
		goto fail;
	}
	if (!url_allowed(o->token_url)) {
		fb_error_set(err, "token endpoint %s: refused, it must be https:// (plain http:// only "
		    "to 127.0.0.1 or [::1])", o->token_url);
		goto fail;
	}
	return o;
fail:
	free(key_uri);
	oauth_free(o);
	return NULL;
}

void
oauth_free(struct oauth *o)
{
	if (o == NULL)
		return;
	pthread_mutex_destroy(&o->lock);
	free(o->token_url);
	free(o->client_id);
	wipe_free(o->client_secret);
	free(o->scope);
	free(o->token_file);
	free(o->subject);
	free(o->ca_file);
	EVP_PKEY_free(o->key);
	free(o->sa_email);
	free(o->sa_key_id);
	wipe_free(o->token);
	free(o->granted_scope);
	free(o);
}

const char *
oauth_endpoint(const struct oauth *o)
{
	return o->token_url;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

struct reply {
	struct buf body;
	int too_big;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;

	if (r->body.len + len > OAUTH_REPLY_MAX) {
		r->too_big = 1;
		return 0;
	}
	if (buf_add(&r->body, p, len) < 0)
		return 0;
	return len;
}

/* Append "&name=value" (form-urlencoded) to form. 0, or -1 when memory ran out (check
 * buf_failed(form) too). */
static int
form_add(struct buf *form, CURL *c, const char *name, const char *value)
{
	char *v = curl_easy_escape(c, value, 0);

	if (v == NULL)
		return -1;
	buf_putf(form, "%s%s=%s", form->len ? "&" : "", name, v);
	OPENSSL_cleanse(v, strlen(v));
	curl_free(v);
	return 0;
}

/* err's message with more said after it (fb_error_set may not read its own buffer). */
static int
error_append(struct fb_error *err, const char *more)
{
	char was[sizeof err->msg];

	if (err == NULL)
		return -1;
	snprintf(was, sizeof was, "%s", err->msg);
	return fb_error_set(err, "%s%s", was, more);
}

/* A text from the endpoint made safe to show in one log line: printable ASCII, capped. */
static void
add_shown(struct buf *out, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < OAUTH_DESC_MAX; i++)
		buf_putch(out, (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
	if (s[i] != '\0')
		buf_puts(out, "...");
}

/*
 * POST the form to url. On 200 with a JSON object: 0 and *json (caller decrefs). Otherwise -1
 * and err says what the endpoint said: "URL: HTTP 400: invalid_grant (description)", with
 * *oerr the RFC 6749 error code (a static copy, "" when none) for the caller to act on.
 */
static int
post_form(struct oauth *o, const char *url, const char *form, json_t **json, char *oerr,
    size_t oerr_size, struct fb_error *err)
{
	struct reply r = { BUF_INIT, 0 };
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode cc;
	long status = 0;
	json_t *j = NULL;
	json_error_t je;
	const char *e, *d;
	struct buf msg = BUF_INIT;
	int rc = -1;

	oerr[0] = '\0';
	if ((c = curl_easy_init()) == NULL)
		return fb_error_set(err, "token endpoint %s: libcurl could not start a request", url);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o->verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, o->verify ? 2L : 0L);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "feedbackd");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		if (r.too_big)
			fb_error_set(err, "token endpoint %s: the answer is larger than %d bytes",
			    url, OAUTH_REPLY_MAX);
		else
			fb_error_set(err, "token endpoint %s: %s", url, cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	j = json_loadb(r.body.data, r.body.len, 0, &je);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	if (status == 200 && j != NULL) {
		*json = j;
		j = NULL;
		rc = 0;
		goto out;
	}
	e = j != NULL ? jstr(j, "error") : NULL;
	d = j != NULL ? jstr(j, "error_description") : NULL;
	buf_putf(&msg, "token endpoint %s: HTTP %ld", url, status);
	if (e != NULL) {
		buf_puts(&msg, ": ");
		add_shown(&msg, e);
		snprintf(oerr, oerr_size, "%s", e);
	} else if (status == 200) {
		buf_puts(&msg, ": the answer is not a JSON object");
	}
	if (d != NULL) {
		buf_puts(&msg, " (");
		add_shown(&msg, d);
		buf_puts(&msg, ")");
	}
	fb_error_set(err, "%s", buf_failed(&msg) ? "token endpoint: out of memory" : msg.data);
out:
	json_decref(j);
	buf_release(&msg);
	OPENSSL_cleanse(r.body.data, r.body.len);
	buf_release(&r.body);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}

/* ---- files ----------------------------------------------------------------------------------- */

/* The refresh token from token_file: one line, refused when others may read the file. */
static int
read_refresh(const struct oauth *o, char **out, struct fb_error *err)
{
	struct buf b = BUF_INIT;
	struct stat st;
	size_t i;

	if (stat(o->token_file, &st) < 0) {
		if (errno == ENOENT)
			return fb_error_set(err, "%s does not exist: run feedbackctl oauth login first",
			    o->token_file);
		return fb_error_set(err, "%s: %s", o->token_file, strerror(errno));
	}
	if (st.st_mode & 077)
		return fb_error_set(err, "%s is readable by others (mode %03o): chmod 600 it, and "
		    "run feedbackctl oauth login again if others may have read it", o->token_file,
		    (unsigned)(st.st_mode & 0777));
	if (buf_read_file(&b, o->token_file, OAUTH_FILE_MAX) < 0)
		return fb_error_set(err, "%s: %s", o->token_file, strerror(errno));
	buf_rtrim(&b);
	for (i = 0; i < b.len; i++)
		if (b.data[i] <= 0x20 || b.data[i] >= 0x7f)
			break;
	if (b.len == 0 || i < b.len) {
		OPENSSL_cleanse(b.data, b.len);
		buf_release(&b);
		return fb_error_set(err, "%s does not hold a refresh token on one line: run "
		    "feedbackctl oauth login again", o->token_file);
	}
	*out = buf_detach(&b, NULL);
	return *out == NULL ? fb_error_set(err, "out of memory") : 0;
}

/* Replace token_file with the token, atomically and durably, mode 0600. */
static int
write_refresh(const struct oauth *o, const char *token, struct fb_error *err)
{
	struct buf tmp = BUF_INIT;
	char *dircopy = NULL;
	size_t len = strlen(token);
	int fd = -1, dfd, rc = -1;

	buf_putf(&tmp, "%s.tmp.XXXXXX", o->token_file);
	if (buf_failed(&tmp) || (dircopy = strdup(o->token_file)) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp.data)) < 0) {
		fb_error_set(err, "cannot write the new refresh token next to %s: %s", o->token_file,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, token, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) < 0) {
		fb_error_set(err, "cannot write the new refresh token to %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		fb_error_set(err, "cannot write the new refresh token to %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, o->token_file) < 0) {
		fb_error_set(err, "cannot replace %s: %s", o->token_file, strerror(errno));
		goto out;
	}
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.len > 0 && !buf_failed(&tmp))
		(void)unlink(tmp.data);
	buf_release(&tmp);
	free(dircopy);
	return rc;
}

/* ---- the service account's assertion (RFC 7523) ---------------------------------------------- */

static void
add_b64url(struct buf *out, const unsigned char *p, size_t n)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putch(out, A[v >> 18 & 63]);
		buf_putch(out, A[v >> 12 & 63]);
		buf_putch(out, A[v >> 6 & 63]);
		buf_putch(out, A[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		buf_putch(out, A[v >> 18 & 63]);
		buf_putch(out, A[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_putch(out, A[v >> 18 & 63]);
		buf_putch(out, A[v >> 12 & 63]);
		buf_putch(out, A[v >> 6 & 63]);
	}
}

static int
add_b64url_json(struct buf *out, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s == NULL)
		return -1;
	add_b64url(out, (const unsigned char *)s, strlen(s));
	free(s);
	return 0;
}

/* header.claims.signature, signed RS256 with the service account's key. */
static int
make_assertion(struct oauth *o, time_t now, struct buf *out, struct fb_error *err)
{
	json_t *h = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
	json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", o->sa_email, "sub", o->subject,
	    "aud", o->token_url, "iat", (json_int_t)now, "exp", (json_int_t)now + OAUTH_JWT_LIFE);
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc = -1;

	if (h == NULL || c == NULL ||
	    (o->sa_key_id != NULL && json_object_set_new(h, "kid", json_string(o->sa_key_id)) < 0) ||
	    (o->scope != NULL && json_object_set_new(c, "scope", json_string(o->scope)) < 0)) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (add_b64url_json(out, h) < 0)
		goto oom;
	buf_putch(out, '.');
	if (add_b64url_json(out, c) < 0 || buf_failed(out)) {
oom:
		fb_error_set(err, "out of memory");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, o->key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out->data, out->len) != 1 ||
	    (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->data, out->len) != 1) {
		fb_error_set(err, "signing the service account's assertion failed");
		goto out;
	}
	buf_putch(out, '.');
	add_b64url(out, sig, siglen);
	rc = buf_failed(out) ? fb_error_set(err, "out of memory") : 0;
out:
	EVP_MD_CTX_free(md);
	free(sig);
	json_decref(h);
	json_decref(c);
	return rc;
}

/* ---- the grants -------------------------------------------------------------------------------- */

/* Take the token answer: the access token, its lifetime, a rotated refresh token. */
static int
take_answer(struct oauth *o, const char *url, json_t *j, time_t now, int keep_refresh,
    struct fb_error *err)
{
	const char *tok = jstr(j, "access_token");
	const char *type = jstr(j, "token_type");
	const char *rt = jstr(j, "refresh_token");
	const char *scope = jstr(j, "scope");
	json_t *ei = json_object_get(j, "expires_in");
	json_int_t life = 3600;
	char *t, *sc = NULL;

	if (tok == NULL || *tok == '\0')
		return fb_error_set(err, "token endpoint %s: the answer has no access_token", url);
	if (type != NULL && strcasecmp(type, "Bearer") != 0)
		return fb_error_set(err, "token endpoint %s: token_type is \"%.40s\", not Bearer", url, type);
	if (json_is_integer(ei))
		life = json_integer_value(ei);
	else if (json_is_string(ei))    /* some endpoints send it as a string */
		life = strtoll(json_string_value(ei), NULL, 10);
	if (life <= 0 || life > 366 * 86400)
		return fb_error_set(err, "token endpoint %s: expires_in %lld is not a lifetime", url,
		    (long long)life);
	/* Rotation first: the endpoint retired the old refresh token when it sent this one. */
	if (keep_refresh && rt != NULL && *rt != '\0') {
		if (write_refresh(o, rt, err) < 0)
			return fb_error_prefix(err, "the endpoint sent a new refresh token that could not be "
			    "kept (run feedbackctl oauth login again once this is fixed)");
	} else if (keep_refresh == 2) {
		return fb_error_set(err, "token endpoint %s: the answer has no refresh_token (ask for "
		    "the offline_access scope)", url);
	}
	if ((t = strdup(tok)) == NULL || dup_opt(&sc, scope ? scope : o->scope) < 0) {
		free(t);
		return fb_error_set(err, "out of memory");
	}
	wipe_free(o->token);
	free(o->granted_scope);
	o->token = t;
	o->granted_scope = sc;
	o->expires = now + (time_t)life;
	o->margin = (time_t)life / 2 < OAUTH_MARGIN_MAX ? (time_t)life / 2 : OAUTH_MARGIN_MAX;
	return 0;
}

static int
fetch(struct oauth *o, time_t now, struct fb_error *err)
{
	struct buf form = BUF_INIT;
	char *rt = NULL;
	char oerr[64];
	json_t *j = NULL;
	CURL *esc = curl_easy_init();   /* only for curl_easy_escape */
	int rc = -1, bad = 0;

	if (esc == NULL)
		return fb_error_set(err, "libcurl could not start a request");
	switch (o->grant) {
	case OAUTH_CLIENT_CREDENTIALS:
		bad |= form_add(&form, esc, "grant_type", "client_credentials");
		bad |= form_add(&form, esc, "client_id", o->client_id);
		bad |= form_add(&form, esc, "client_secret", o->client_secret);
		break;
	case OAUTH_REFRESH_TOKEN:
		if (read_refresh(o, &rt, err) < 0)
			goto out;
		bad |= form_add(&form, esc, "grant_type", "refresh_token");
		bad |= form_add(&form, esc, "client_id", o->client_id);
		if (o->client_secret != NULL)
			bad |= form_add(&form, esc, "client_secret", o->client_secret);
		bad |= form_add(&form, esc, "refresh_token", rt);
		break;
	case OAUTH_SERVICE_ACCOUNT: {
		struct buf jwt = BUF_INIT;

		if (make_assertion(o, now, &jwt, err) < 0) {
			buf_release(&jwt);
			goto out;
		}
		bad |= form_add(&form, esc, "grant_type", GRANT_JWT);
		bad |= form_add(&form, esc, "assertion", jwt.data);
		buf_release(&jwt);
		break;
	}
	}
	if (o->scope != NULL && o->grant != OAUTH_SERVICE_ACCOUNT)
		bad |= form_add(&form, esc, "scope", o->scope);
	if (bad || buf_failed(&form)) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (post_form(o, o->token_url, form.data, &j, oerr, sizeof oerr, err) < 0) {
		if (o->grant == OAUTH_REFRESH_TOKEN && strcmp(oerr, "invalid_grant") == 0)
			error_append(err, "; the stored refresh token is no longer accepted: run "
			    "feedbackctl oauth login again");
		goto out;
	}
	rc = take_answer(o, o->token_url, j, now, o->grant == OAUTH_REFRESH_TOKEN, err);
out:
	json_decref(j);
	if (rt != NULL)
		wipe_free(rt);
	OPENSSL_cleanse(form.data, form.len);
	buf_release(&form);
	curl_easy_cleanup(esc);
	return rc;
}

int
oauth_token(struct oauth *o, struct buf *out, struct fb_error *err)
{
	time_t now;
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	now = o->clock(o->clock_arg);
	if (o->token == NULL || now >= o->expires - o->margin)
		rc = fetch(o, now, err);
	if (rc == 0 && buf_adds(out, o->token) < 0)
		rc = fb_error_set(err, "out of memory");
	pthread_mutex_unlock(&o->lock);
	return rc;
}

void
oauth_refused(struct oauth *o)
{
	pthread_mutex_lock(&o->lock);
	wipe_free(o->token);
	o->token = NULL;
	pthread_mutex_unlock(&o->lock);
}

int
oauth_describe(struct oauth *o, time_t *expires, struct buf *scope, struct fb_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	if (o->token == NULL)
		rc = fb_error_set(err, "no token in hand");
	else if (buf_adds(scope, o->granted_scope ? o->granted_scope : "") < 0)
		rc = fb_error_set(err, "out of memory");
	else
		*expires = o->expires;
	pthread_mutex_unlock(&o->lock);
	return rc;
}

/* ---- the device authorization grant (RFC 8628) ------------------------------------------------ */

void
oauth_device_release(struct oauth_device *dev)
{
	if (dev == NULL)
		return;
	wipe_free(dev->device_code);
	free(dev->user_code);
	free(dev->verification_uri);
	free(dev->message);
	memset(dev, 0, sizeof *dev);
}

int
oauth_device_start(struct oauth *o, const char *device_url, struct oauth_device *dev,
    struct fb_error *err)
{
	struct buf form = BUF_INIT;
	struct oauth_device d = { 0 };
	char oerr[64];
	json_t *j = NULL, *v;
	CURL *esc;
	const char *dc, *uc, *uri, *msg;
	json_int_t ex = 900, iv = 5;
	int rc = -1, bad = 0;

	if (o->grant != OAUTH_REFRESH_TOKEN)
		return fb_error_set(err, "oauth login is for oauth_grant = refresh_token; the %s grant "
		    "needs no login", oauth_grant_name(o->grant));
	if (device_url == NULL || *device_url == '\0')
		return fb_error_set(err, "no device authorization endpoint (set oauth_device_url, or "
		    "oauth_tenant for Microsoft 365)");
	if (!url_allowed(device_url))
		return fb_error_set(err, "device endpoint %s: refused, it must be https:// (plain "
		    "http:// only to 127.0.0.1 or [::1])", device_url);
	if ((esc = curl_easy_init()) == NULL)
		return fb_error_set(err, "libcurl could not start a request");
	bad |= form_add(&form, esc, "client_id", o->client_id);
	if (o->scope != NULL)
		bad |= form_add(&form, esc, "scope", o->scope);
	curl_easy_cleanup(esc);
	if (bad || buf_failed(&form)) {
		buf_release(&form);
		return fb_error_set(err, "out of memory");
	}
	pthread_mutex_lock(&o->lock);
	rc = post_form(o, device_url, form.data, &j, oerr, sizeof oerr, err);
	pthread_mutex_unlock(&o->lock);
	buf_release(&form);
	if (rc < 0) {
		if (err != NULL)
			fb_error_prefix(err, "device authorization");
		return -1;
	}
	rc = -1;
	dc = jstr(j, "device_code");
	uc = jstr(j, "user_code");
	uri = jstr(j, "verification_uri");
	if (uri == NULL)
		uri = jstr(j, "verification_url");   /* Google's name for it */
	msg = jstr(j, "message");
	if (json_is_integer(v = json_object_get(j, "expires_in")))
		ex = json_integer_value(v);
	if (json_is_integer(v = json_object_get(j, "interval")))
		iv = json_integer_value(v);
	if (dc == NULL || uc == NULL || uri == NULL) {
		fb_error_set(err, "device endpoint %s: the answer lacks device_code, user_code or "
		    "verification_uri", device_url);
		goto out;
	}
	if (iv < 1 || iv > 600)
		iv = 5;
	if (ex < 1 || ex > 86400)
		ex = 900;
	if ((d.device_code = strdup(dc)) == NULL || (d.user_code = strdup(uc)) == NULL ||
	    (d.verification_uri = strdup(uri)) == NULL || dup_opt(&d.message, msg) < 0) {
		fb_error_set(err, "out of memory");
		oauth_device_release(&d);
		goto out;
	}
	d.interval = (int)iv;
	d.expires = o->clock(o->clock_arg) + (time_t)ex;
	*dev = d;
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int
oauth_device_poll(struct oauth *o, struct oauth_device *dev, struct fb_error *err)
{
	struct buf form = BUF_INIT;
	char oerr[64];
	json_t *j = NULL;
	CURL *esc;
	time_t now;
	int rc = -1, bad = 0;

	pthread_mutex_lock(&o->lock);
	now = o->clock(o->clock_arg);
	if (now >= dev->expires) {
		rc = fb_error_set(err, "the code %s expired before it was entered: run feedbackctl "
		    "oauth login again", dev->user_code);
		goto out;
	}
	if ((esc = curl_easy_init()) == NULL) {
		rc = fb_error_set(err, "libcurl could not start a request");
		goto out;
	}
	bad |= form_add(&form, esc, "grant_type", GRANT_DEVICE);
	bad |= form_add(&form, esc, "client_id", o->client_id);
	if (o->client_secret != NULL)
		bad |= form_add(&form, esc, "client_secret", o->client_secret);
	bad |= form_add(&form, esc, "device_code", dev->device_code);
	curl_easy_cleanup(esc);
	if (bad || buf_failed(&form)) {
		rc = fb_error_set(err, "out of memory");
		goto out;
	}
	if (post_form(o, o->token_url, form.data, &j, oerr, sizeof oerr, err) < 0) {
		if (strcmp(oerr, "authorization_pending") == 0) {
			rc = 1;
		} else if (strcmp(oerr, "slow_down") == 0) {
			dev->interval += 5;   /* RFC 8628 section 3.5 */
			rc = 1;
		} else if (strcmp(oerr, "access_denied") == 0) {
			error_append(err, "; the sign-in was declined: run feedbackctl oauth login again");
		} else if (strcmp(oerr, "expired_token") == 0) {
			fb_error_set(err, "the code %s expired before it was entered: run feedbackctl "
			    "oauth login again", dev->user_code);
		}
		goto out;
	}
	rc = take_answer(o, o->token_url, j, now, 2, err);
out:
	json_decref(j);
	OPENSSL_cleanse(form.data, form.len);
	buf_release(&form);
	pthread_mutex_unlock(&o->lock);
	return rc;
}
