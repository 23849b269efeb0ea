/*
 * libFuzzer target: itip_build() with hostile text in every field (the names, addresses,
 * summary, description, location and URL come from rosters and coordinators). The input is
 * split at NUL bytes into the fields; the first bytes pick method, zone, time and duration.
 * Whatever itip_build() accepts must read back with libical (itip_read) to exactly one
 * attendee and the same UID: no injected property or component gets through.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zones[] = { "Europe/Amsterdam", "America/New_York", "Asia/Tokyo",
	"Australia/Sydney", "UTC" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	const char *field[8] = { "" , "", "", "", "", "", "", "" };
	struct itip_info info;
	struct fb_error err;
	size_t nf = 0;

	if (size < 4)
		return 0;
	if (buf_add(&in, data + 4, size - 4) < 0)
		return 0;
	field[nf++] = in.data;
	for (size_t i = 0; i < in.len && nf < 8; i++)
		if (in.data[i] == '\0')
			field[nf++] = in.data + i + 1;
	struct itip_event ev = {
		.method = (data[0] & 1) ? ITIP_CANCEL : ITIP_REQUEST,
		.uid = field[0],
		.sequence = data[1],
		.dtstamp = 1798000000,
		.start = 1798000000 + (time_t)data[2] * 86400 * 3,
		.duration_min = 1 + data[3] * 7,
		.tz = zones[(size_t)(data[0] >> 1) % (sizeof(zones) / sizeof(zones[0]))],
		.organizer_addr = "coordinator@example.org",
		.organizer_name = field[1],
		.attendee_addr = *field[2] ? field[2] : "a@example.org",
		.attendee_name = field[3],
		.summary = *field[4] ? field[4] : "S",
		.description = field[5],
		.location = field[6],
		.url = field[7],
	};
	if (itip_build(&ev, &out, &err) == 0) {
		if (itip_read(out.data, out.len, &info, &err) < 0 || info.nattendees != 1 ||
		    info.uid == NULL || strcmp(info.uid, ev.uid) != 0)
			__builtin_trap();
		itip_info_release(&info);
	}
	buf_release(&in);
	buf_release(&out);
	return 0;
}
