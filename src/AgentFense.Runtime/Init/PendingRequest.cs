using System.Threading.Channels;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>
/// A request in flight: the frames init sent for its id, in order, and its stdin window. The
/// receive loop removes it after a frame that ends it (see <see cref="IsFinal"/>).
/// </summary>
internal sealed class PendingRequest
{
    private readonly Lock _stdinLock = new();
    private long _stdinCredit = InitProtocol.StdinWindow;
    private TaskCompletionSource? _stdinWaiter;
    private bool _ended;

    public PendingRequest(uint id, RequestKind kind)
    {
        Id = id;
        Kind = kind;
    }

    public uint Id { get; }

    public RequestKind Kind { get; }

    public Channel<InboundFrame> Frames { get; } =
        Channel.CreateUnbounded<InboundFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Whether <paramref name="type"/> is the last frame init sends for this request.</summary>
    public bool IsFinal(MessageType type) => type == MessageType.Error || Kind switch
    {
        RequestKind.Command => type == MessageType.Exit,
        RequestKind.Start => type == MessageType.Started,
        _ => true,
    };

    /// <summary>Init wrote stdin bytes into the child: they may be sent again.</summary>
    public void AddStdinCredit(uint bytes)
    {
        TaskCompletionSource? waiter;
        lock (_stdinLock)
        {
            _stdinCredit += bytes;
            waiter = _stdinWaiter;
            _stdinWaiter = null;
        }
        waiter?.TrySetResult();
    }

    /// <summary>Takes up to <paramref name="wanted"/> bytes of stdin credit, waiting while there is none.</summary>
    public async ValueTask<int> TakeStdinCreditAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_stdinLock)
            {
                if (_ended)
                    throw new InitException("the command has ended; stdin is closed");
                if (_stdinCredit > 0)
                {
                    var granted = (int)Math.Min(wanted, _stdinCredit);
                    _stdinCredit -= granted;
                    return granted;
                }
                _stdinWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _stdinWaiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The request ended or the connection is gone: wake a stdin writer so it can fail.</summary>
    public void Complete(Exception? error = null)
    {
        Frames.Writer.TryComplete(error);
        TaskCompletionSource? waiter;
        lock (_stdinLock)
        {
            _ended = true;
            waiter = _stdinWaiter;
            _stdinWaiter = null;
        }
        waiter?.TrySetResult();
    }
}
