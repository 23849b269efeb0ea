/*
 * mailauth — see include/mailauth.h. The daemon (state_configure, and again at each reload)
 * and feedbackctl (oauth token/login, privacy erase over IMAP) call mailauth_load(), so the two
 * programs can never read the login keys differently.
 */
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fberror.h"
#include "mailauth.h"
#include "oauth.h"
#include "banned.h"

#define MS_LOGIN "https://login.microsoftonline.com/"

void
mailauth_section(const struct config *cfg, enum mailauth_side side, struct mailauth_section *out)
{
	if (side == MAILAUTH_INCOMING) {
		const struct config_incoming *in = &cfg->incoming;

		*out = (struct mailauth_section){ "incoming", in->mailbox == CONFIG_MAILBOX_IMAP,
			in->auth, &in->oauth, in->username, in->password_file, in->ca_file,
			in->verify, in->timeout };
	} else {
		const struct config_outgoing *o = &cfg->outgoing;

		*out = (struct mailauth_section){ "outgoing", o->transport == CONFIG_TRANSPORT_SMTP,
			o->auth, &o->oauth, o->username, o->password_file, o->ca_file,
			o->verify, o->timeout };
	}
}

static int
ms_url(const char *set, const char *tenant, const char *leaf, struct buf *out)
{
	if (*set != '\0')
		return buf_adds(out, set);
	if (*tenant != '\0')
		return buf_addf(out, MS_LOGIN "%s/oauth2/v2.0/%s", tenant, leaf);
	return 0;
}

int
mailauth_token_url(const struct config_oauth *o, struct buf *out)
{
	return ms_url(o->token_url, o->tenant, "token", out);
}

int
mailauth_device_url(const struct config_oauth *o, struct buf *out)
{
	return ms_url(o->device_url, o->tenant, "devicecode", out);
}

static void
wipe(struct buf *b)
{
	if (b->alloc > 0)
		explicit_bzero(b->data, b->alloc);
	buf_release(b);
}

void
mailauth_release(struct mailauth *a)
{
	wipe(&a->password);
	oauth_free(a->oauth);
	a->oauth = NULL;
	a->mech = OAUTH_XOAUTH2;
}

static struct oauth *
load_oauth(const struct mailauth_section *sec, time_t (*clock)(void *), void *clock_arg,
    struct fb_error *err)
{
	const struct config_oauth *c = sec->oauth;
	struct buf secret = BUF_INIT, key = BUF_INIT, url = BUF_INIT;
	struct oauth_settings s = { 0 };
	struct oauth *o = NULL;

	/* The client secret (client credentials) and the service account's key are secrets in
	 * files, read under password_file's rules. */
	if (*c->secret_file != '\0' && config_read_secret(c->secret_file, &secret, err) < 0)
		goto out;
	if (*c->key_file != '\0' && config_read_secret(c->key_file, &key, err) < 0)
		goto out;
	if (mailauth_token_url(c, &url) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	s.grant = c->grant == CONFIG_OAUTH_REFRESH_TOKEN ? OAUTH_REFRESH_TOKEN :
	    c->grant == CONFIG_OAUTH_SERVICE_ACCOUNT ? OAUTH_SERVICE_ACCOUNT :
	    OAUTH_CLIENT_CREDENTIALS;
	s.token_url = url.len ? url.data : NULL;
	s.client_id = c->client_id;
	s.client_secret = secret.len ? secret.data : NULL;
	s.scope = *c->scope ? c->scope : NULL;
	s.token_file = c->token_file;
	s.key_json = key.len ? key.data : NULL;
	s.subject = sec->username;
	s.ca_file = *sec->ca_file ? sec->ca_file : NULL;
	s.verify = sec->verify;
	s.timeout = sec->timeout;
	s.clock = clock;
	s.clock_arg = clock_arg;
	o = oauth_new(&s, err);
out:
	wipe(&secret);
	wipe(&key);
	buf_release(&url);
	return o;
}

int
mailauth_load(struct mailauth *a, const struct config *cfg, enum mailauth_side side,
    time_t (*clock)(void *arg), void *clock_arg, struct fb_error *err)
{
	struct mailauth_section sec;
	struct mailauth n = MAILAUTH_INIT;

	mailauth_section(cfg, side, &sec);
	if (sec.auth == CONFIG_LOGIN_OAUTH2 && sec.remote) {
		n.oauth = load_oauth(&sec, clock, clock_arg, err);
		if (n.oauth == NULL)
			return fb_error_prefix(err, "[%s] auth = oauth2", sec.name);
		n.mech = sec.oauth->mechanism == CONFIG_OAUTH_OAUTHBEARER ? OAUTH_OAUTHBEARER :
		    OAUTH_XOAUTH2;
	} else if (*sec.password_file != '\0' &&
	    config_read_secret(sec.password_file, &n.password, err) < 0) {
		return -1;
	}
	*a = n;
	return 0;
}

void
mailauth_mailbox_settings(const struct config *cfg, const struct mailauth *a,
    struct mailbox_settings *ms)
{
	const struct config_incoming *in = &cfg->incoming;

	mailbox_settings_init(ms);
	ms->kind = in->mailbox == CONFIG_MAILBOX_IMAP ? MAILBOX_IMAP : MAILBOX_MAILDIR;
	ms->maildir = in->maildir;
	ms->url = in->url.url;
	ms->starttls_required = in->starttls == CONFIG_STARTTLS_REQUIRED;
	ms->username = in->username;
	ms->password = a->password.data;
	ms->oauth = a->oauth;
	ms->mech = a->mech;
	ms->ca_file = *in->ca_file ? in->ca_file : NULL;
	ms->verify = in->verify;
	ms->folder = in->folder;
	ms->processed_folder = in->processed_folder;
	ms->idle = in->idle;
	ms->timeout = in->timeout;
	ms->fetch_batch = (unsigned)in->fetch_batch;
	ms->max_message_size = (size_t)cfg->feedbackd.max_message_size;
}

void
mailauth_transport_settings(const struct config *cfg, const struct mailauth *a,
    struct transport_settings *ts)
{
	const struct config_outgoing *o = &cfg->outgoing;

	transport_settings_init(ts);
	ts->kind = o->transport == CONFIG_TRANSPORT_SMTP ? TRANSPORT_SMTP : TRANSPORT_MAILDIR;
	ts->maildir = o->maildir;
	ts->url = o->url.url;
	ts->starttls_required = o->starttls == CONFIG_STARTTLS_REQUIRED;
	ts->username = o->username;
	ts->password = a->password.data;
	ts->oauth = a->oauth;
	ts->mech = a->mech;
	ts->ca_file = *o->ca_file ? o->ca_file : NULL;
	ts->verify = o->verify;
	ts->timeout = o->timeout;
	ts->helo = cfg->feedbackd.domain;
}
