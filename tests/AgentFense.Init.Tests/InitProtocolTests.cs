using AgentFense.Init.Protocol;

namespace AgentFense.Init.Tests;

/// <summary>Encode/decode of every message on byte fixtures and round trips.</summary>
public sealed class InitProtocolTests
{
    private const string ExecFixture =
        "36000000" + "01" + "00" + "0000" + "07000000" // header: length 54, Exec, id 7
        + "01" + "01" // flags Shell, stdin Bytes
        + "01000000" + "02000000" + "6c73" // argv ["ls"]
        + "01000000" + "03000000" + "413d31" // env ["A=1"]
        + "02000000" + "2f77" // workdir "/w"
        + "01000000" + "41" // stdin "A"
        + "e8030000" // timeout 1000 ms
        + "1000000000000000" // output limit 16
        + "00010000" // credit 256
        + "5000" + "1800"; // pty 80x24

    private static readonly ExecRequest s_exec = new()
    {
        Flags = ExecFlags.Shell,
        StdinMode = StdinMode.Bytes,
        Argv = ["ls"],
        Env = ["A=1"],
        WorkingDirectory = "/w",
        StdinBytes = "A"u8.ToArray(),
        TimeoutMs = 1000,
        OutputLimit = 16,
        InitialCredit = 256,
        PtyColumns = 80,
        PtyRows = 24,
    };

    [Fact]
    public void WriteFrame_ExecRequest_MatchesFixture()
    {
        using var writer = new WireWriter();
        writer.WriteFrame(7, s_exec);
        Assert.Equal(ExecFixture, Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void Read_ExecFixture_YieldsEveryField()
    {
        var bytes = Convert.FromHexString(ExecFixture);
        Assert.True(FrameHeader.TryRead(bytes, out var header));
        Assert.Equal(new FrameHeader(54, MessageType.Exec, 7), header);
        var request = ExecRequest.Read(bytes.AsSpan(InitProtocol.HeaderSize));
        Assert.Equal(s_exec.Flags, request.Flags);
        Assert.Equal(s_exec.StdinMode, request.StdinMode);
        Assert.Equal(s_exec.Argv, request.Argv);
        Assert.Equal(s_exec.Env, request.Env);
        Assert.Equal(s_exec.WorkingDirectory, request.WorkingDirectory);
        Assert.Equal(s_exec.StdinBytes, request.StdinBytes);
        Assert.Equal((s_exec.TimeoutMs, s_exec.OutputLimit, s_exec.InitialCredit), (request.TimeoutMs, request.OutputLimit, request.InitialCredit));
        Assert.Equal((s_exec.PtyColumns, s_exec.PtyRows), (request.PtyColumns, request.PtyRows));
    }

    [Fact]
    public void WriteOutputFrame_Stderr_MatchesFixture()
    {
        using var writer = new WireWriter();
        writer.WriteOutputFrame(0x01020304, OutputStream.Stderr, "hi"u8);
        Assert.Equal("03000000" + "42000000" + "04030201" + "02" + "6869", Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void WriteStdinFrame_Data_MatchesFixture()
    {
        using var writer = new WireWriter();
        writer.WriteStdinFrame(2, "abc"u8);
        Assert.Equal("03000000" + "02000000" + "02000000" + "616263", Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(MessageType.StdinClose, "03")]
    [InlineData(MessageType.Cancel, "05")]
    [InlineData(MessageType.ListProcesses, "07")]
    [InlineData(MessageType.Ok, "47")]
    public void WriteEmptyFrame_Type_IsAHeaderAlone(MessageType type, string typeHex)
    {
        using var writer = new WireWriter();
        writer.WriteEmptyFrame(type, 0x10);
        Assert.Equal("00000000" + typeHex + "000000" + "10000000", Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void WriteFrame_ExitStatus_MatchesFixture()
    {
        using var writer = new WireWriter();
        writer.WriteFrame(9, new ExitStatus(3, 0, 0x1a, ExitFlags.StdoutTruncated | ExitFlags.TimedOut));
        Assert.Equal("11000000" + "43000000" + "09000000" + "03000000" + "00000000" + "1a00000000000000" + "05",
            Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void WriteFrame_SmallMessages_MatchFixtures()
    {
        Assert.Equal("04000000" + "04000000" + "01000000" + "00000100", Hex(1, new CreditGrant(65536)));
        Assert.Equal("04000000" + "06000000" + "01000000" + "0f000000", Hex(1, new SignalRequest(15)));
        Assert.Equal("04000000" + "41000000" + "02000000" + "39300000", Hex(2, new Started(12345)));
        Assert.Equal("06000000" + "40000000" + "00000000" + "0100" + "01000000", Hex(0, new Hello(1, 1)));
        Assert.Equal("04000000" + "0e000000" + "03000000" + "5000" + "1800", Hex(3, new ResizeRequest(80, 24)));
        Assert.Equal("0b000000" + "48000000" + "04000000" + "0600" + "00000000" + "01000000" + "78",
            Hex(4, new ErrorReply(ErrorCode.SessionBusy, 0, "x")));
        Assert.Equal("11000000" + "09000000" + "05000000" + "07000000" + "02" + "0a00000000000000" + "00100000",
            Hex(5, new ReadOutputRequest(7, OutputStream.Stderr, 10, 4096)));
    }

    [Fact]
    public void WriteFrame_ProcessRef_MatchesFixture()
    {
        using var writer = new WireWriter();
        new ProcessRef(42).WriteFrame(writer, MessageType.WaitProcess, 6);
        Assert.Equal("04000000" + "08000000" + "06000000" + "2a000000", Convert.ToHexStringLower(writer.WrittenSpan));
        Assert.Equal(new ProcessRef(42), ProcessRef.Read(writer.WrittenSpan[InitProtocol.HeaderSize..]));
    }

    [Fact]
    public void Read_SmallMessages_RoundTrip()
    {
        Assert.Equal(new CreditGrant(7), RoundTrip(new CreditGrant(7)));
        Assert.Equal(new SignalRequest(9), RoundTrip(new SignalRequest(9)));
        Assert.Equal(new Started(1), RoundTrip(new Started(1)));
        Assert.Equal(new Hello(1, 77), RoundTrip(new Hello(1, 77)));
        Assert.Equal(new ResizeRequest(132, 43), RoundTrip(new ResizeRequest(132, 43)));
        Assert.Equal(new ErrorReply(ErrorCode.SpawnFailed, 2, "posix_spawn 'x' failed: errno 2"),
            RoundTrip(new ErrorReply(ErrorCode.SpawnFailed, 2, "posix_spawn 'x' failed: errno 2")));
        Assert.Equal(new ReadOutputRequest(3, OutputStream.Stdout, 5, 6), RoundTrip(new ReadOutputRequest(3, OutputStream.Stdout, 5, 6)));
        var exit = new ExitStatus(-1, 9, 123456789, ExitFlags.Cancelled | ExitFlags.StderrTruncated);
        Assert.Equal(exit, RoundTrip(exit));
    }

    [Fact]
    public void Read_OutputData_RoundTrips()
    {
        var data = new OutputData { Stream = OutputStream.Stderr, Offset = 3, Total = 10, Truncated = true, Finished = true, Data = [1, 2, 3] };
        var read = RoundTrip(data);
        Assert.Equal((data.Stream, data.Offset, data.Total, data.Truncated, data.Finished), (read.Stream, read.Offset, read.Total, read.Truncated, read.Finished));
        Assert.Equal(data.Data, read.Data);
        Assert.Equal("19000000" + "46000000" + "01000000" + "02" + "0300000000000000" + "0a00000000000000" + "03" + "03000000" + "010203",
            Hex(1, data));
    }

    [Fact]
    public void Read_ProcessList_RoundTrips()
    {
        var list = new ProcessList(
        [
            new ProcessInfo(5, 100, ProcessState.Running, "sleep 100", default),
            new ProcessInfo(6, 101, ProcessState.Exited, "true", new ExitStatus(0, 0, 10, ExitFlags.None)),
        ]);
        var read = RoundTrip(list);
        Assert.Equal(list.Processes, read.Processes);
        Assert.StartsWith("4d000000" + "45000000" + "01000000" + "02000000" + "05000000" + "64000000" + "01" + "09000000", Hex(1, list));
    }

    [Fact]
    public void Read_SessionRequests_RoundTrip()
    {
        var create = new SessionCreateRequest { Shell = "/bin/sh", Env = ["A=1", "B=2"], WorkingDirectory = "/tmp", Pty = true, PtyColumns = 100, PtyRows = 30 };
        var readCreate = RoundTrip(create);
        Assert.Equal((create.Shell, create.WorkingDirectory, create.Pty, create.PtyColumns, create.PtyRows),
            (readCreate.Shell, readCreate.WorkingDirectory, readCreate.Pty, readCreate.PtyColumns, readCreate.PtyRows));
        Assert.Equal(create.Env, readCreate.Env);
        Assert.Equal("07000000" + "2f62696e2f7368", Hex(1, create).Substring(24, 22));

        var exec = new SessionExecRequest { SessionId = 4, Command = "cd /tmp", TimeoutMs = 5, OutputLimit = 6, InitialCredit = 7, WaitIfBusy = true };
        Assert.Equal(exec, RoundTrip(exec) with { });
        Assert.Equal("04000000" + "07000000" + "6364202f746d70" + "05000000" + "0600000000000000" + "07000000" + "01",
            Hex(1, exec)[24..]);
    }

    [Fact]
    public void Read_ShortPayload_Throws()
    {
        var bytes = Convert.FromHexString(ExecFixture);
        var payload = bytes.AsSpan(InitProtocol.HeaderSize, bytes.Length - InitProtocol.HeaderSize - 1).ToArray();
        Assert.Throws<InitProtocolException>(() => ExecRequest.Read(payload));
    }

    [Fact]
    public void Read_TrailingBytes_Throws()
    {
        Assert.Throws<InitProtocolException>(() => CreditGrant.Read([1, 0, 0, 0, 0]));
    }

    [Fact]
    public void TryRead_OversizedLength_Throws()
    {
        var header = new byte[InitProtocol.HeaderSize];
        BitConverter.TryWriteBytes(header, (uint)InitProtocol.MaxPayload + 1);
        Assert.Throws<InitProtocolException>(() => FrameHeader.TryRead(header, out _));
    }

    [Fact]
    public void TryRead_PartialHeader_ReturnsFalse()
    {
        Assert.False(FrameHeader.TryRead(new byte[InitProtocol.HeaderSize - 1], out _));
    }

    [Fact]
    public void Read_StringListCountBeyondPayload_Throws()
    {
        // flags, stdin mode, then an argv count of 1000 with no strings behind it.
        Assert.Throws<InitProtocolException>(() => ExecRequest.Read([0, 0, 0xe8, 0x03, 0, 0]));
    }

    [Fact]
    public void WireWriter_SeveralFrames_AreConsumedInOrder()
    {
        using var writer = new WireWriter(16);
        writer.WriteFrame(1, new Started(1));
        writer.WriteOutputFrame(1, OutputStream.Stdout, new byte[1000]);
        writer.WriteFrame(1, new ExitStatus(0, 0, 0, ExitFlags.None));
        Assert.Equal(3 * InitProtocol.HeaderSize + 4 + 1001 + 17, writer.Length);
        writer.Consume(InitProtocol.HeaderSize + 4);
        Assert.True(FrameHeader.TryRead(writer.WrittenSpan, out var header));
        Assert.Equal(MessageType.Output, header.Type);
    }

    private static string Hex<T>(uint id, T message)
        where T : IWireMessage<T>
    {
        using var writer = new WireWriter();
        writer.WriteFrame(id, message);
        return Convert.ToHexStringLower(writer.WrittenSpan);
    }

    private static T RoundTrip<T>(T message)
        where T : IWireMessage<T>
    {
        using var writer = new WireWriter();
        writer.WriteFrame(1, message);
        Assert.True(FrameHeader.TryRead(writer.WrittenSpan, out var header));
        Assert.Equal(T.Type, header.Type);
        Assert.Equal(writer.Length - InitProtocol.HeaderSize, header.PayloadLength);
        return T.Read(writer.WrittenSpan[InitProtocol.HeaderSize..]);
    }
}
