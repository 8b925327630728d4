/* fuzz_http.c - the metrics server's request head (what any local process,
 * or the network with --serve on a public address, may send) on arbitrary
 * bytes: the answer is one of the six codes with its reason phrase; 200
 * only with a document, for a GET whose target starts with /metrics (the
 * words may be split by any white space, and lead with some, as sscanf
 * reads them: lenient, as RFC 9112 allows); 414 exactly when the request
 * line is too long for the parser. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metricsserver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The server reads into a buffer it NUL-terminates; an exact-size
	 * copy lets ASan see a read past the end. */
	char *head = malloc(size + 1);
	if (!head)
		return 0;
	memcpy(head, data, size);
	head[size] = '\0';
	size_t line = strcspn(head, "\r\n");
	const char *word = head;
	while (isspace((unsigned char)*word))
		word++;
	for (int has_body = 0; has_body < 2; has_body++) {
		struct metrics_answer a = metricsserver_answer(head, has_body);
		static const int codes[] = { 200, 400, 404, 405, 414, 503 };
		bool known = false;
		for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
			known |= a.code == codes[i];
		if (!known || !a.reason || !a.reason[0] || !a.headers)
			abort();
		if ((a.code == 414) != (line >= METRICS_LINE_MAX))
			abort();
		if (a.code == 200 && (!has_body || strncmp(word, "GET", 3) != 0 ||
		                      !strstr(head, "/metrics")))
			abort();
		if (a.code == 503 && has_body)
			abort();
	}
	free(head);
	return 0;
}
