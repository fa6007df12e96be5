namespace AgentFense.Runtime.Seccomp;

/// <summary>
/// Builds a classic-BPF program with forward jumps to named labels; <see cref="Assemble"/>
/// resolves them into the 8-bit relative offsets of <c>sock_filter</c>.
/// </summary>
internal sealed class BpfAssembler
{
    private readonly List<(SockFilter Instruction, string? TrueLabel, string? FalseLabel)> _code = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

    public int Count => _code.Count;

    /// <summary>A = the 32-bit word at <paramref name="offset"/> of <c>struct seccomp_data</c>.</summary>
    public void LoadWord(uint offset) =>
        Add(new SockFilter(SockFilter.BPF_LD | SockFilter.BPF_W | SockFilter.BPF_ABS, 0, 0, offset));

    /// <summary>if (A == k) goto onTrue else goto onFalse (null = the next instruction).</summary>
    public void JumpIfEqual(uint k, string? onTrue, string? onFalse = null) => Jump(SockFilter.BPF_JEQ, k, onTrue, onFalse);

    /// <summary>if (A &gt;= k) goto onTrue else goto onFalse.</summary>
    public void JumpIfGreaterOrEqual(uint k, string? onTrue, string? onFalse = null) => Jump(SockFilter.BPF_JGE, k, onTrue, onFalse);

    /// <summary>if (A &amp; k) goto onTrue else goto onFalse.</summary>
    public void JumpIfAnySet(uint k, string? onTrue, string? onFalse = null) => Jump(SockFilter.BPF_JSET, k, onTrue, onFalse);

    /// <summary>Returns <paramref name="action"/> (a SECCOMP_RET_* value).</summary>
    public void Return(uint action) => Add(new SockFilter(SockFilter.BPF_RET | SockFilter.BPF_K, 0, 0, action));

    /// <summary>Names the next instruction.</summary>
    public void Label(string name)
    {
        if (!_labels.TryAdd(name, _code.Count))
            throw new InvalidOperationException($"label '{name}' defined twice");
    }

    public SeccompProgram Assemble()
    {
        var result = new SockFilter[_code.Count];
        for (var i = 0; i < _code.Count; i++)
        {
            var (instruction, onTrue, onFalse) = _code[i];
            result[i] = instruction with { Jt = Offset(i, onTrue), Jf = Offset(i, onFalse) };
        }
        return new SeccompProgram(result);
    }

    private void Jump(ushort op, uint k, string? onTrue, string? onFalse) =>
        _code.Add((new SockFilter((ushort)(SockFilter.BPF_JMP | op | SockFilter.BPF_K), 0, 0, k), onTrue, onFalse));

    private void Add(SockFilter instruction) => _code.Add((instruction, null, null));

    private byte Offset(int from, string? label)
    {
        if (label is null)
            return 0;
        if (!_labels.TryGetValue(label, out var target))
            throw new InvalidOperationException($"label '{label}' is never defined");
        var distance = target - from - 1;
        if (distance is < 0 or > byte.MaxValue)
            throw new InvalidOperationException($"jump from {from} to '{label}' ({target}) is out of classic BPF's forward 8-bit range");
        return (byte)distance;
    }
}
