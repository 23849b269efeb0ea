/*
 * ufold — UTF-8 code points and their folded forms. See include/ufold.h.
 */
#include "ufold.h"
#include "banned.h"

uint32_t
ufold_next(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i, n;
	uint32_t c;

	if (p[0] < 0x80) {
		(*i)++;
		return p[0];
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		(*i)++;
		return UFOLD_BAD(p[0]);
	}
	if (left < n) {
		(*i)++;
		return UFOLD_BAD(p[0]);
	}
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			(*i)++;
			return UFOLD_BAD(p[0]);
		}
		c = (c << 6) | (p[k] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		(*i)++;
		return UFOLD_BAD(p[0]);
	}
	*i += n;
	return c;
}

/* Base letters of U+00C0..U+00FF and U+0100..U+017F; '.': no base letter (case only). */
static const char fold_latin1[] =
	"aaaaaa.ceeeeiiiidnooooo.ouuuuy.."
	"aaaaaa.ceeeeiiiidnooooo.ouuuuy.y";
static const char fold_ext_a[] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii..jjkkkllllllllll"
	"nnnnnnnnnoooooo..rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

_Static_assert(sizeof(fold_latin1) == 64 + 1, "one letter per code point U+00C0..U+00FF");
_Static_assert(sizeof(fold_ext_a) == 128 + 1, "one letter per code point U+0100..U+017F");

uint32_t
ufold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + ('a' - 'A');
	if (c < 0xC0)
		return c;
	if (c <= 0xFF) {
		char f = fold_latin1[c - 0xC0];

		if (f != '.')
			return (uint32_t)(unsigned char)f;
		return c <= 0xDE && c != 0xD7 ? c + 0x20 : c;
	}
	if (c <= 0x17F) {
		char f = fold_ext_a[c - 0x100];

		return f != '.' ? (uint32_t)(unsigned char)f : (c | 1);
	}
	if (c == 0x2018 || c == 0x2019 || c == 0x02BC)
		return '\'';
	if (c >= 0x391 && c <= 0x3A9)   /* Greek capitals */
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42F)   /* Cyrillic А..Я */
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)   /* Cyrillic Ѐ..Џ */
		return c + 0x50;
	return c;
}
