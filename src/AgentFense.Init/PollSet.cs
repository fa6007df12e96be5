using System.Runtime.InteropServices;

namespace AgentFense.Init;

/// <summary>
/// The pollfd array of one loop iteration, rebuilt each time from the live jobs, with the job and
/// role of each entry beside it. The SafeHandles stay referenced by their jobs for the whole
/// iteration (one thread), so the raw fds in the array stay valid during poll(2).
/// </summary>
internal sealed unsafe class PollSet
{
    private Interop.Libc.pollfd[] _fds = new Interop.Libc.pollfd[16];
    private Job?[] _jobs = new Job?[16];
    private PollKind[] _kinds = new PollKind[16];

    public int Count { get; private set; }

    public void Clear()
    {
        Array.Clear(_jobs, 0, Count);
        Count = 0;
    }

    public void Add(SafeHandle fd, short events, Job? job, PollKind kind)
    {
        if (Count == _fds.Length)
        {
            Array.Resize(ref _fds, Count * 2);
            Array.Resize(ref _jobs, Count * 2);
            Array.Resize(ref _kinds, Count * 2);
        }
        _fds[Count] = new Interop.Libc.pollfd { fd = (int)fd.DangerousGetHandle(), events = events };
        _jobs[Count] = job;
        _kinds[Count] = kind;
        Count++;
    }

    /// <summary>poll(2); returns the number ready, or -1 with errno set.</summary>
    public int Wait(int timeoutMs)
    {
        fixed (Interop.Libc.pollfd* p = _fds)
            return Interop.Libc.poll(p, (nuint)Count, timeoutMs);
    }

    public short Revents(int index) => _fds[index].revents;

    public Job? Job(int index) => _jobs[index];

    public PollKind Kind(int index) => _kinds[index];
}
