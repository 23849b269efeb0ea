/*
 * token — reply tokens made from random bytes the caller gives (fbrandom.h) and the finders that recognise them in addresses, Message-IDs
 * and subjects (the forms are documented in token.h).
 */
#include <string.h>

#include "token.h"
#include "banned.h"

static const char B32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Write nchars base32 characters taken from the bits of raw (5 bits each, most significant
 * first); raw must hold at least ceil(nchars * 5 / 8) bytes. */
static void
base32_encode(const unsigned char *raw, size_t nchars, char *out)
{
	for (size_t i = 0; i < nchars; i++) {
		size_t bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8;

		if (shift > 3)
			v |= raw[byte + 1];
		out[i] = B32[(v >> (11 - shift)) & 31];
	}
	out[nchars] = '\0';
}

static int
b32_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static void
copy_lower(const char *s, char out[TOKEN_LEN + 1])
{
	for (size_t i = 0; i < TOKEN_LEN; i++)
		out[i] = (char)lower((unsigned char)s[i]);
	out[TOKEN_LEN] = '\0';
}

void
token_new(char out[TOKEN_LEN + 1], const unsigned char random[TOKEN_RANDOM_BYTES])
{
	base32_encode(random, TOKEN_LEN, out); /* the first 130 of the 136 bits */
}

int
token_valid(const char *s, size_t len)
{
	if (s == NULL || len != TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!b32_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
token_from_address(const char *addr, char out[TOKEN_LEN + 1])
{
	const char *at, *plus = NULL, *start, *end;

	if (addr == NULL)
		return -1;
	start = addr;
	while (*start == ' ' || *start == '\t' || *start == '<')
		start++;
	at = strrchr(start, '@');
	if (at == NULL)
		return -1;
	for (const char *p = start; p < at; p++)
		if (*p == '+')
			plus = p;
	if (plus == NULL)
		return -1;
	end = at;
	if (!token_valid(plus + 1, (size_t)(end - plus - 1)))
		return -1;
	copy_lower(plus + 1, out);
	return 0;
}

int
token_from_message_id(const char *msgid, char out[TOKEN_LEN + 1])
{
	const char *s;

	if (msgid == NULL)
		return -1;
	s = msgid;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '<')
		s++;
	/* the token, then a dot; strnlen keeps us inside short strings */
	if (strnlen(s, TOKEN_LEN + 1) < TOKEN_LEN + 1 || s[TOKEN_LEN] != '.')
		return -1;
	if (!token_valid(s, TOKEN_LEN))
		return -1;
	/* the rest must reach an '@' before any '>' or space: it is a Message-ID, not a sentence */
	for (const char *p = s + TOKEN_LEN + 1; *p != '@'; p++)
		if (*p == '\0' || *p == '>' || *p == ' ' || *p == '<')
			return -1;
	copy_lower(s, out);
	return 0;
}

int
token_from_subject(const char *subject, char out[TOKEN_LEN + 1])
{
	const char *p;

	if (subject == NULL)
		return -1;
	for (p = strstr(subject, "[#"); p != NULL; p = strstr(p + 2, "[#")) {
		const char *t = p + 2;

		if (strnlen(t, TOKEN_LEN + 1) == TOKEN_LEN + 1 && t[TOKEN_LEN] == ']' &&
		    token_valid(t, TOKEN_LEN)) {
			copy_lower(t, out);
			return 0;
		}
	}
	return -1;
}

int
token_message_id(const char *token, const char *domain,
    const unsigned char random[TOKEN_ID_RANDOM_BYTES], struct buf *out)
{
	char rnd[17], tok[TOKEN_LEN + 1];
	size_t dlen;

	if (token == NULL || domain == NULL || !token_valid(token, strlen(token)))
		return -1;
	dlen = strlen(domain);
	if (dlen == 0 || dlen > 253)
		return -1;
	for (size_t i = 0; i < dlen; i++) {
		int c = (unsigned char)domain[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.'))
			return -1;
	}
	base32_encode(random, 16, rnd); /* 80 bits → 16 characters */
	copy_lower(token, tok);
	return buf_addf(out, "<%s.%s@%s>", tok, rnd, domain);
}
