using AgentFense.Init.Protocol;

namespace AgentFense.Init;

internal sealed partial class InitServer
{
    private const int MaxReadOutput = InitProtocol.MaxChunk * 16;

    private void ListProcesses(uint id)
    {
        var list = new List<ProcessInfo>();
        foreach (var job in _jobs.Values)
        {
            if (job.Kind != JobKind.Background)
                continue;
            var state = job.Finished ? ProcessState.Exited : ProcessState.Running;
            list.Add(new ProcessInfo(job.Id, job.Pid, state, job.Command, job.Finished ? job.Result : default));
        }
        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        _out.WriteFrame(id, new ProcessList([.. list]));
    }

    private Job? FindBackground(uint requestId, uint target)
    {
        if (_jobs.TryGetValue(target, out var job) && job.Kind == JobKind.Background)
            return job;
        Error(requestId, ErrorCode.NotFound, 0, $"no background process {target}");
        return null;
    }

    private void WaitProcess(uint id, uint target)
    {
        if (FindBackground(id, target) is not { } job)
            return;
        if (job.Finished)
            _out.WriteFrame(id, job.Result);
        else
            (job.Waiters ??= []).Add(id);
    }

    private void ReadKeptOutput(uint id, ReadOutputRequest request)
    {
        if (FindBackground(id, request.TargetId) is not { } job)
            return;
        var pipe = request.Stream == OutputStream.Stderr ? job.Stderr : job.Stdout;
        if (pipe is null)
        {
            Error(id, ErrorCode.NotFound, 0, $"process {request.TargetId} has no {request.Stream}");
            return;
        }
        var kept = pipe.Kept;
        var offset = (int)Math.Clamp(request.Offset, 0, kept.Length);
        var count = Math.Min(Math.Clamp(request.MaxBytes, 0, MaxReadOutput), kept.Length - offset);
        var data = kept.Slice(offset, count);
        var finished = job.Finished && offset + count == kept.Length;
        _out.BeginFrame(MessageType.OutputData, id);
        OutputData.WritePayload(_out, request.Stream, offset, kept.Length, pipe.Truncated, finished, data);
        _out.EndFrame();
    }

    private void ReleaseProcess(uint id, uint target)
    {
        if (FindBackground(id, target) is not { } job)
            return;
        if (!job.Exited)
        {
            Kill(job, ExitFlags.Cancelled);
            _byPid.Remove(job.Pid); // the sweep still reaps it, as an orphan
        }
        if (job.Waiters is { } waiters)
        {
            foreach (var waiter in waiters)
                Error(waiter, ErrorCode.Cancelled, 0, $"process {target} was released");
        }
        job.DisposeHandles();
        _jobs.Remove(target);
        Ok(id);
    }
}
