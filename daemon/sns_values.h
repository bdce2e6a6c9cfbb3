/* sns_values: the values of an SNS request that come from the event, made
 * into values SNS accepts whatever the event holds.
 *
 * Pure. Any queue writer chooses a record's user name, event name, account
 * and eventID, so an attribute value or a FIFO id built from them must not
 * be able to fail the request it travels in (and the other messages of its
 * batch). Values that are already acceptable are kept byte for byte, so
 * filter policies and FIFO deduplication see what the record says. */
#pragma once

#include <stdbool.h>

/* Our cap on a String attribute value: SNS allows more, but a filter policy
 * matches names and ids, and every byte counts against the 256 KiB message. */
#define SNS_ATTRIBUTE_VALUE_MAX 256
/* SNS: MessageGroupId and MessageDeduplicationId are "up to 128 characters"
 * of "alphanumeric characters and punctuation". */
#define SNS_FIFO_ID_MAX 128

/* s as the text message shows it (textsafe_escape: control characters,
 * invalid UTF-8 and hidden format characters escaped; the Unicode
 * non-characters U+FFFE and U+FFFF, which SNS refuses, too), at most
 * SNS_ATTRIBUTE_VALUE_MAX bytes: a longer value is cut between two characters
 * or escapes and ends in TEXTSAFE_MARK. 0, -ENOMEM. */
int sns_attribute_value(const char *s, char ret[static SNS_ATTRIBUTE_VALUE_MAX + 1]);

/* True when s is 1..SNS_FIFO_ID_MAX characters of ASCII letters, digits and
 * punctuation (0x21-0x7e). */
bool sns_fifo_id_valid(const char *s);

/* s itself when sns_fifo_id_valid(s), else its SHA-256 in hex (64 characters,
 * the same for the same s, so deduplication still works). 0, -EIO. */
int sns_fifo_id(const char *s, char ret[static SNS_FIFO_ID_MAX + 1]);
