/* atomicfile.c - see atomicfile.h. */
#include "atomicfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomicfile_open(struct atomicfile *af, const char *path)
{
	memset(af, 0, sizeof *af);
	size_t len = strlen(path);
	af->path = strdup(path);
	af->tmp = malloc(len + sizeof ".tmp.XXXXXX");
	if (!af->path || !af->tmp) {
		atomicfile_abort(af);
		errno = ENOMEM;
		return -1;
	}
	memcpy(af->tmp, path, len);
	memcpy(af->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	/* mkstemp creates with O_EXCL and mode 0600. */
	int fd = mkstemp(af->tmp);
	if (fd < 0 || !(af->fp = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(af->tmp);
		}
		free(af->tmp);
		af->tmp = NULL;
		atomicfile_abort(af);
		errno = e;
		return -1;
	}
	return 0;
}

int atomicfile_commit(struct atomicfile *af)
{
	int err = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0)
		err = errno ? errno : EIO;
	if (fclose(af->fp) != 0 && !err)
		err = errno;
	af->fp = NULL;
	if (!err && rename(af->tmp, af->path) != 0)
		err = errno;
	if (err) {
		atomicfile_abort(af);
		errno = err;
		return -1;
	}
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof *af);
	return 0;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof *af);
}
