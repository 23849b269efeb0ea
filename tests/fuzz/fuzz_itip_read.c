/*
 * libFuzzer target: itip_read() (libical's parser plus our 64-bit SEQUENCE scan) on any bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "itip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct itip_info info;
	struct fb_error err;

	if (itip_read((const char *)data, size, &info, &err) == 0) {
		for (size_t i = 0; i < info.nattendees; i++)
			if (info.attendees[i].address == NULL || info.attendees[i].partstat == NULL)
				__builtin_trap();
	}
	itip_info_release(&info);
	return 0;
}
