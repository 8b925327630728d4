/* fuzz_rcfile.c - the rc file and theme file readers on arbitrary bytes:
 * no crash, no leak, settings always within their documented ranges. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/leaktop-fuzz-rc-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);

	struct config c;
	config_defaults(&c);
	config_load(&c, path, NULL, NULL);
	if (c.delay_tenths < 1 || c.delay_tenths > 36000 || c.sort >= COL_COUNT ||
	    c.pss_max_age_s < 1 || c.pss_budget_ms < 1)
		abort();

	struct theme t;
	theme_init(&t);
	theme_load_file(&t, path, NULL, NULL);
	for (int i = 0; i < ROLE_COUNT; i++)
		if (t.style[i].fg < -1 || t.style[i].fg > 255 ||
		    t.style[i].bg < -1 || t.style[i].bg > 255)
			abort();
	unlink(path);
	return 0;
}
