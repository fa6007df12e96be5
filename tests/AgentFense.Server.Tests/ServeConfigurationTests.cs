namespace AgentFense.Server.Tests;

/// <summary>The <c>--config</c> file and <c>AGENTFENSE_API_KEYS</c> of <c>agentfense serve</c>.</summary>
public sealed class ServeConfigurationTests
{
    [Fact]
    public void Parse_AllKeys()
    {
        var config = ServeConfiguration.Parse("""
            {"grpc": "127.0.0.1:9001", "http": "127.0.0.1:8081", "data": "/srv/af",
             "apiKeys": [{"key": "k1", "owner": "alice"}, {"key": "k2", "owner": "bob"}]}
            """);
        Assert.Equal("127.0.0.1:9001", config.Grpc);
        Assert.Equal("127.0.0.1:8081", config.Http);
        Assert.Equal("/srv/af", config.Data);
        Assert.Equal(new Dictionary<string, string> { ["k1"] = "alice", ["k2"] = "bob" }, config.ApiKeys);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"grpcc": "x"}""", "unknown key 'grpcc'")]
    [InlineData("""{"grpc": 9000}""", "grpc is not a string")]
    [InlineData("""{"apiKeys": {"key": "k"}}""", "apiKeys is not an array")]
    [InlineData("""{"apiKeys": [{"key": "k"}]}""", "apiKeys[0] is not an object")]
    [InlineData("""{"apiKeys": [{"key": "", "owner": "alice"}]}""", "the key of owner 'alice' is empty")]
    [InlineData("""{"apiKeys": [{"key": "k", "owner": ""}]}""", "the owner is empty")]
    [InlineData("""{"apiKeys": [{"key": "k", "owner": "a"}, {"key": "k", "owner": "b"}]}""", "apiKeys[1]: the key of owner 'b' is given twice")]
    public void Parse_Bad_NamesTheProblem(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseApiKeys_OwnerColonKey()
    {
        Assert.Equal(new Dictionary<string, string> { ["k1"] = "alice", ["k:2"] = "bob" }, ServeConfiguration.ParseApiKeys("alice:k1, bob:k:2,"));
        Assert.Empty(ServeConfiguration.ParseApiKeys(""));
    }

    [Theory]
    [InlineData("alice", "entry 1 is not OWNER:KEY")]
    [InlineData("alice:k1,:k2", "entry 2: the owner is empty")]
    [InlineData("alice:", "the key of owner 'alice' is empty")]
    [InlineData("alice:k1,bob:k1", "the key of owner 'bob' is given twice")]
    public void ParseApiKeys_Bad_NamesTheProblem_NotTheKey(string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.ParseApiKeys(value));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("k1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_SameKeyOtherOwner_Refused()
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.Merge(
            new Dictionary<string, string> { ["k"] = "alice" }, new Dictionary<string, string> { ["k"] = "bob" }));
        Assert.Contains("also configured for owner 'alice'", e.Message, StringComparison.Ordinal);
    }
}
