using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Engine;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Services;

/// <summary>
/// Background processes (<c>proc_…</c>) of running sandboxes and their API shape. In memory only.
/// </summary>
/// <remarks>
/// Overview. A process lives in its box's init, which keeps its output; this table maps the opaque API id to
/// the engine's handle (bound to that box) and watches each process with one wait request, so its status is
/// known without asking init and any number of WaitProcess calls share that one wait. A process is
/// forgotten when DeleteProcess releases it or when its box ends (the sandbox stopped or died): from then on
/// its id is NOT_FOUND, also after the sandbox starts again with a fresh box.
/// </remarks>
internal sealed class ProcessTable
{
    private readonly ConcurrentDictionary<string, Entry> _processes = new(StringComparer.Ordinal);

    /// <summary>One process: its handle, its request's command, and its exit once known.</summary>
    public sealed class Entry
    {
        private int _truncation;

        internal Entry(string id, string command, SandboxProcessHandle handle)
        {
            Id = id;
            Command = command;
            Handle = handle;
            StartedAt = DateTimeOffset.UtcNow;
        }

        public string Id { get; }

        public string Command { get; }

        public SandboxProcessHandle Handle { get; }

        public DateTimeOffset StartedAt { get; }

        public DateTimeOffset? EndedAt { get; private set; }

        /// <summary>The exit status; null when the process was released or its box ended before it exited.</summary>
        public Task<ExitStatus?> Exit { get; private set; } = null!;

        /// <summary>False once released or once its box ended: the id answers NOT_FOUND.</summary>
        public bool IsLive => !Handle.BoxEnded.IsCompleted && !(Exit.IsCompleted && Exit.Result is null);

        /// <summary>Remembers that a read saw a stream past the output limit (known before the exit says so).</summary>
        public void NoteTruncated(OutputStream stream) =>
            Interlocked.Or(ref _truncation, stream == OutputStream.Stderr ? 2 : 1);

        internal void Watch() => Exit = WatchAsync();

        private async Task<ExitStatus?> WatchAsync()
        {
            try
            {
                var status = await Handle.WaitAsync().ConfigureAwait(false);
                EndedAt = DateTimeOffset.UtcNow;
                return status;
            }
            catch (InitException)
            {
                // Released, or its box (and init's connection) is gone: the process can no longer be reached.
                return null;
            }
        }

        /// <summary>The API shape of the process now.</summary>
        public SandboxProcess Snapshot()
        {
            var process = new SandboxProcess
            {
                Id = Id,
                SandboxId = Handle.SandboxId,
                Command = Command,
                Status = SandboxProcessStatus.Running,
                Pid = Handle.Process.Pid,
                StartedAt = Timestamp.FromDateTimeOffset(StartedAt),
                StdoutTruncated = (Volatile.Read(ref _truncation) & 1) != 0,
                StderrTruncated = (Volatile.Read(ref _truncation) & 2) != 0,
            };
            if (Exit.IsCompletedSuccessfully && Exit.Result is { } exit)
            {
                process.Status = SandboxProcessStatus.Exited;
                process.ExitCode = exit.ShellExitCode;
                process.EndedAt = Timestamp.FromDateTimeOffset(EndedAt ?? DateTimeOffset.UtcNow);
                process.StdoutTruncated |= (exit.Flags & ExitFlags.StdoutTruncated) != 0;
                process.StderrTruncated |= (exit.Flags & ExitFlags.StderrTruncated) != 0;
            }
            return process;
        }
    }

    /// <summary>Registers a started process under a new id and starts watching it.</summary>
    public Entry Add(string command, SandboxProcessHandle handle)
    {
        while (true)
        {
            var id = "proc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            if (_processes.ContainsKey(id))
                continue;
            var entry = new Entry(id, command, handle);
            entry.Watch();
            if (!_processes.TryAdd(id, entry))
                continue;
            _ = ForgetWhenBoxEndsAsync(entry);
            return entry;
        }
    }

    /// <summary>The live process <paramref name="id"/> of sandbox <paramref name="sandboxId"/>, or null.</summary>
    public Entry? TryGet(string sandboxId, string id) =>
        _processes.TryGetValue(id, out var entry) && entry.Handle.SandboxId == sandboxId && entry.IsLive ? entry : null;

    /// <summary>The live processes of sandbox <paramref name="sandboxId"/>, oldest first.</summary>
    public IReadOnlyList<Entry> ListOf(string sandboxId) =>
        [.. _processes.Values.Where(e => e.Handle.SandboxId == sandboxId && e.IsLive)
            .OrderBy(e => e.StartedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];

    /// <summary>Forgets <paramref name="entry"/>; false when it was already forgotten (a concurrent delete).</summary>
    public bool Remove(Entry entry) => _processes.TryRemove(new KeyValuePair<string, Entry>(entry.Id, entry));

    private async Task ForgetWhenBoxEndsAsync(Entry entry)
    {
        try
        {
            await entry.Handle.BoxEnded.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // However the box ended, its processes ended with it.
        }
        Remove(entry);
    }
}
