using TrainInsight.Internal;

namespace TrainInsight.Mcp;

/// <summary>Settings of TrainInsight's Model Context Protocol server (<c>AddMcp()</c>, <c>MapTrainInsightMcp()</c>).</summary>
/// <remarks>The tools read <see cref="MaxRuns"/> and <see cref="MaxProposals"/> on every call; <see cref="ServerName"/> and <see cref="EnableProposalTools"/> are read once, when the MCP server's options are built (at its first request).</remarks>
public sealed class McpOptions
{
    /// <summary>The longest <see cref="ServerName"/>, in characters: 100.</summary>
    public const int MaxServerNameLength = 100;

    private string _serverName = "traininsight";
    private int _maxRuns = 50;
    private int _maxProposals = 50;

    /// <summary>
    /// Gets or sets the name the server gives MCP clients in its implementation information, unless the host set the MCP
    /// server's <c>ServerInfo</c> itself. At most <see cref="MaxServerNameLength"/> characters, not empty. The default is
    /// <c>traininsight</c>.
    /// </summary>
    public string ServerName
    {
        get => _serverName;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _serverName = value.Length <= MaxServerNameLength
                ? value
                : throw new ArgumentOutOfRangeException(nameof(value), value.Length, $"ServerName is {value.Length:N0} characters long; the most is {MaxServerNameLength}.");
        }
    }

    /// <summary>
    /// Gets or sets whether the proposal tools (<c>list_proposals</c>, <c>get_proposal</c>, <c>propose_control_action</c>)
    /// are listed when an <see cref="IProposalService"/> is registered. Off makes the server read-only: clients read runs
    /// and nothing else. No tool ever approves, rejects or applies anything, whatever this says. The default is
    /// <see langword="true"/>.
    /// </summary>
    public bool EnableProposalTools { get; set; } = true;

    /// <summary>Gets or sets the most runs <c>list_runs</c> returns (a client may ask for fewer). Between 1 and 1,000. The default is 50.</summary>
    public int MaxRuns
    {
        get => _maxRuns;
        set => _maxRuns = OptionsGuard.InRange(value, 1, 1_000);
    }

    /// <summary>Gets or sets the most proposals <c>list_proposals</c> returns (a client may ask for fewer). Between 1 and 1,000. The default is 50.</summary>
    public int MaxProposals
    {
        get => _maxProposals;
        set => _maxProposals = OptionsGuard.InRange(value, 1, 1_000);
    }
}
