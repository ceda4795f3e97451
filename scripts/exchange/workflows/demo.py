"""Demo workflows, registered by ``apps.load()``: small, safe, and visible in
the console. They touch nothing outside the engine."""
from exchange.workflows.bootstrap import step, workflow
from exchange.workflows.engine.instance import getWorkflows
from exchange.workflows.steps.sleep import sleep_chunked


@workflow(name="demo.small")
def demo_small(duration_s=10):
    rt = getWorkflows()
    loops = int(duration_s * 2)

    for i in range(loops):
        rt.checkCancelled()
        rt.progress("loop %s/%s" % (i + 1, loops))
        sleep_chunked(total_ms=500, chunk_ms=250)

    return {"ok": True}


@step(name="demo.measure")
def measure(batch, index):
    return {"batch": batch, "sample": index, "value": (index * 37) % 100}


@workflow(name="demo.one_minute_progress")
def one_minute_progress(chunk_sec=5, total_sec=60, batch="demo"):
    """Takes a sample every ``chunk_sec`` seconds for ``total_sec`` seconds."""
    rt = getWorkflows()
    chunks = max(1, int(total_sec // chunk_sec))
    samples = []
    for i in range(chunks):
        rt.checkCancelled()
        samples.append(measure(batch, i)["value"])
        rt.progress("sample %d/%d" % (i + 1, chunks), {"last": samples[-1]})
        rt.writeStream("samples", samples[-1])
        sleep_chunked(total_ms=int(chunk_sec * 1000), chunk_ms=250)
    rt.setEvent("average", sum(samples) / float(len(samples)))
    return {"samples": len(samples), "average": sum(samples) / float(len(samples))}
