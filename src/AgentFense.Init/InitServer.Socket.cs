using System.Runtime.InteropServices;
using AgentFense.Init.Protocol;

namespace AgentFense.Init;

internal sealed partial class InitServer
{
    /// <summary>Reads what the socket has and dispatches every whole frame; a closed socket or a protocol error ends init.</summary>
    private unsafe void ReadSocket()
    {
        while (true)
        {
            if (_inLength == _in.Length)
                Array.Resize(ref _in, _in.Length * 2);
            nint n;
            fixed (byte* p = &_in[_inLength])
                n = Interop.Libc.read(_socket, p, (nuint)(_in.Length - _inLength));
            if (n == 0)
            {
                _socketClosed = true;
                return;
            }
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                if (errno != Errno.EAGAIN)
                    _socketClosed = true;
                break;
            }
            _inLength += (int)n;
            if (_inLength < _in.Length)
                break;
        }
        try
        {
            var consumed = 0;
            while (FrameHeader.TryRead(_in.AsSpan(consumed, _inLength - consumed), out var header))
            {
                var frameSize = InitProtocol.HeaderSize + header.PayloadLength;
                if (_inLength - consumed < frameSize)
                {
                    if (frameSize > _in.Length)
                        Array.Resize(ref _in, frameSize);
                    break;
                }
                Dispatch(header, _in.AsSpan(consumed + InitProtocol.HeaderSize, header.PayloadLength));
                consumed += frameSize;
            }
            _in.AsSpan(consumed, _inLength - consumed).CopyTo(_in);
            _inLength -= consumed;
        }
        catch (InitProtocolException e)
        {
            Log($"protocol error, closing: {e.Message}");
            _socketClosed = true;
        }
    }

    /// <summary>Writes queued frames as far as the socket takes them.</summary>
    private unsafe void Flush()
    {
        while (_out.Length > 0)
        {
            nint n;
            fixed (byte* p = _out.WrittenSpan)
                n = Interop.Libc.write(_socket, p, (nuint)_out.Length);
            if (n > 0)
            {
                _out.Consume((int)n);
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
                continue;
            if (errno != Errno.EAGAIN)
            {
                _socketClosed = true;
                _out.Clear();
            }
            return;
        }
    }

    private void Dispatch(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var id = header.RequestId;
        switch (header.Type)
        {
            case MessageType.Exec:
                StartExec(id, ExecRequest.Read(payload));
                break;
            case MessageType.Stdin:
                OnStdin(id, payload.ToArray(), close: false);
                break;
            case MessageType.StdinClose:
                OnStdin(id, [], close: true);
                break;
            case MessageType.Credit:
                OnCredit(id, CreditGrant.Read(payload).Bytes);
                break;
            case MessageType.Cancel:
                OnCancel(id);
                break;
            case MessageType.Signal:
                OnSignal(id, SignalRequest.Read(payload).Signal);
                break;
            case MessageType.ListProcesses:
                ListProcesses(id);
                break;
            case MessageType.WaitProcess:
                WaitProcess(id, ProcessRef.Read(payload).TargetId);
                break;
            case MessageType.ReadOutput:
                ReadKeptOutput(id, ReadOutputRequest.Read(payload));
                break;
            case MessageType.ReleaseProcess:
                ReleaseProcess(id, ProcessRef.Read(payload).TargetId);
                break;
            case MessageType.SessionCreate:
                CreateSession(id, SessionCreateRequest.Read(payload));
                break;
            case MessageType.SessionExec:
                SessionExec(id, SessionExecRequest.Read(payload));
                break;
            case MessageType.SessionClose:
                CloseSession(id, ProcessRef.Read(payload).TargetId);
                break;
            case MessageType.Resize:
                Resize(id, ResizeRequest.Read(payload));
                break;
            default:
                Error(id, ErrorCode.BadRequest, 0, $"unknown message type 0x{(byte)header.Type:x2}");
                break;
        }
    }

    private void Error(uint id, ErrorCode code, int errno, string message) =>
        _out.WriteFrame(id, new ErrorReply(code, errno, message));

    private void Ok(uint id) => _out.WriteEmptyFrame(MessageType.Ok, id);

    private bool IdInUse(uint id) => _jobs.ContainsKey(id) || _sessions.ContainsKey(id) || _sessionCommands.ContainsKey(id);
}
