/* xmltext: the text of one element in an AWS Query-protocol XML answer.
 *
 * Pure and bounded: reads at most len bytes of xml, which need not be
 * NUL-terminated, in forward scans without recursion or allocation. Not a
 * validating parser: it knows start, end and empty-element tags (attributes
 * are skipped; a quoted value may hold '>', an unquoted one is tolerated),
 * comments, processing instructions, <!DOCTYPE …> and CDATA sections, which
 * covers what AWS services send. Names are matched on their local part, so
 * "Code" finds <Code>, <Code attr="x"> and <ns:Code>, but not <Codes>.
 *
 * The text of an element is its character data with the five predefined
 * entities and &#N;/&#xN; references decoded, CR LF and lone CR read as LF
 * (XML 1.0 §2.11), comments and processing instructions dropped, CDATA kept
 * verbatim; then leading and trailing whitespace (space, tab, CR, LF) is
 * trimmed. An element holding a child element has no text: -EBADMSG.
 *
 * Errors: -EINVAL bad arguments; -ENOENT no such element; -EBADMSG malformed
 * or unterminated markup on the way to it or inside it, an unknown entity, a
 * reference to a character XML forbids, a NUL byte in the text; -E2BIG the
 * text does not fit ret (ret_size counts the NUL). ret and ret_* are written
 * only on success. */
#pragma once

#include <stddef.h>

/* The text of the first element named name, at any depth. */
int xml_find_text(const char *xml, size_t len, const char *name, char *ret, size_t ret_size);

/* As xml_find_text, searching only the descendants of the first element
 * named within: e.g. ("ResponseMetadata", "RequestId"). */
int xml_find_text_in(const char *xml, size_t len, const char *within, const char *name,
                     char *ret, size_t ret_size);

/* The extent of the first element named name, at any depth: from the '<' of
 * its start tag to just past the '>' of its end tag (or of the empty-element
 * tag). It serves lists: search inside the extent with the functions above,
 * then continue after it, e.g. for each <member> of PublishBatch's
 * <Successful>. Searching inside an extent for its own name finds itself. */
int xml_find_element(const char *xml, size_t len, const char *name,
                     const char **ret_element, size_t *ret_element_len);
