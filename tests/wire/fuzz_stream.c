// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for whole destination streams: the input is a
 * selector byte, the destination (a fresh one, or one resuming a paused
 * postcopy: stream_model.h), then the byte stream one channel of it
 * receives (a hello, then packets with their offset and data blocks,
 * postcopy's MISSING and POSTCOPY among them), fed through the model of
 * stream_model.c, which aborts on any inconsistency between the codec's
 * results, or with protocol.rst. make fuzz (the top level) runs it with
 * mkcorpus's seed streams; by hand:
 *
 *   ../../build/fuzz/fuzz_stream -max_total_time=60 CORPUS_DIR
 */
#include <stdlib.h>

#include "stream_model.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct wstream_result res;

	wstream_run(data, size, &res);
	/*
	 * Postcopy: answers (channel 0) and the pages MISSING named come
	 * in accepted packets, answers only after the POSTCOPY barrier.
	 */
	if ((res.requests && !res.postcopy) || res.requests > res.packets ||
	    (res.missing && !res.packets) || (res.missing && res.resync))
		abort();
	return 0;
}
