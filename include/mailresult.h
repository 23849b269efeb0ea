/*
 * mailresult — what a mail driver's call came to, as what the caller should do next (after
 * mbsync's driver results and SMTP's own 2xx/4xx/5xx), shared by include/mailbox.h and
 * include/transport.h. A driver says what happened; the queue runner (flow/mailflow.c)
 * decides what to do with it, and never has to ask which driver it has.
 *
 *	MAIL_OK           done.
 *	MAIL_TEMPORARY    not done this time, try again later: a 4xx, a timeout, a server that
 *	                  could not be reached, out of memory. The message or the call is kept.
 *	MAIL_MESSAGE_BAD  this one message can never go, or never be read or marked: a 5xx for
 *	                  every recipient, an id the mailbox does not know. Give up on it (and
 *	                  say so); the rest goes on.
 *	MAIL_MAILBOX_BAD  the mailbox, the server or the connection is broken: stop using it,
 *	                  close it and open() it again later (with back-off).
 *	MAIL_STOPPED      a stop was asked (by the caller's callback or *stop): nothing is wrong,
 *	                  what was done is done.
 * A result other than MAIL_OK comes with an fb_error (or a detail) saying what happened.
 */
#ifndef FB_MAILRESULT_H
#define FB_MAILRESULT_H

enum mail_result {
	MAIL_OK = 0,
	MAIL_TEMPORARY,
	MAIL_MESSAGE_BAD,
	MAIL_MAILBOX_BAD,
	MAIL_STOPPED,
};

/* "ok", "tempfail", "permfail", "mailbox-bad", "stopped" (SMTP's words for the first three,
 * as tools and logs have always printed them). */
const char *mail_result_name(enum mail_result r);

#endif
