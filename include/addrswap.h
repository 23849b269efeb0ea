/*
 * addrswap — put another sender address into a message compose made (compose.h), keeping
 * everything else byte for byte: the From header, and in every text part (text/plain,
 * text/html, text/calendar, application/ics) each occurrence of the old address, decoded from
 * and encoded back into the part's transfer encoding (7bit, quoted-printable, base64). In a
 * calendar the ATTENDEE lines are left alone (a person may be invited who once was the
 * organizer); the lines changed are folded again at 75 octets, never inside a character.
 *
 * What it is for: an invitation queued while the configuration named a placeholder organizer
 * (feedback@feedbackd.invalid) goes out with the organizer the configuration names when it is
 * sent, ORGANIZER and From alike (invite.h: invite_refresh_organizer).
 *
 * Pure: bytes in, bytes out. The input is our own output, but it is read defensively: a
 * message of another shape is refused, not half changed.
 */
#ifndef FB_ADDRSWAP_H
#define FB_ADDRSWAP_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

/* The address in the From header of raw[0..len) (the part in <...>, or the whole value),
 * appended to out. 0, or -1 with err when there is no From header. */
int addrswap_from(const char *raw, size_t len, struct buf *out, struct fb_error *err);

/*
 * raw[0..len) with old_addr replaced by new_addr (ASCII addresses, compared without regard to
 * case) as described above, appended to out. 0, or -1 with err (out untouched) when raw is
 * not a message of compose's shape or memory runs out.
 */
int addrswap_message(const char *raw, size_t len, const char *old_addr, const char *new_addr,
    struct buf *out, struct fb_error *err);

#endif
