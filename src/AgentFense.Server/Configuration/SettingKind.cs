namespace AgentFense.Server.Configuration;

/// <summary>How a <see cref="ServeSetting"/> is written.</summary>
public enum SettingKind
{
    /// <summary>A non-empty string.</summary>
    Text,
    /// <summary>true/false (also 1/0, yes/no, on/off as text).</summary>
    Bool,
    /// <summary>A non-negative whole number.</summary>
    Integer,
    /// <summary>A non-negative decimal number.</summary>
    Number,
    /// <summary>A byte size: 512M, 2G, 4096.</summary>
    Size,
    /// <summary>A duration: 30s, 10m, 1h30m; a bare number is seconds.</summary>
    Duration,
    /// <summary>A list of strings (a JSON array, or ':'-separated text).</summary>
    List,
}
