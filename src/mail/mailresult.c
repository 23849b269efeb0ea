/*
 * mailresult — the names of the driver results of include/mailresult.h.
 */
#include "mailresult.h"
#include "banned.h"

const char *
mail_result_name(enum mail_result r)
{
	switch (r) {
	case MAIL_OK:
		return "ok";
	case MAIL_TEMPORARY:
		return "tempfail";
	case MAIL_MESSAGE_BAD:
		return "permfail";
	case MAIL_MAILBOX_BAD:
		return "mailbox-bad";
	case MAIL_STOPPED:
		return "stopped";
	}
	return "?";
}
