namespace TrainInsight.Llm.Tests;

public class LlmOptionsTests
{
    [Fact]
    public void Ctor_Defaults_AreDocumentedValues()
    {
        var options = new LlmOptions();

        options.DefaultLanguage.Should().Be("en");
        options.ContextTokenBudget.Should().Be(1_024);
        options.HistoryTokenBudget.Should().Be(2_048);
        options.MaxOutputTokens.Should().Be(1_024);
        options.Temperature.Should().BeNull();
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(60));
        options.StreamIdleTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.MaxCallsPerMinute.Should().Be(60);
        options.MaxTokensPerDay.Should().Be(2_000_000);
        options.CircuitBreakerFailures.Should().Be(5);
        options.CircuitBreakerDuration.Should().Be(TimeSpan.FromSeconds(30));
        options.MaxToolCalls.Should().Be(4);
        options.MaxSuggestions.Should().Be(5);
        options.Prompts.Analyst.Should().Be(AssistantPrompts.DefaultAnalyst);
    }

    public static TheoryData<Action<LlmOptions>, string> OutOfRange => new()
    {
        { o => o.ContextTokenBudget = 255, nameof(LlmOptions.ContextTokenBudget) },
        { o => o.ContextTokenBudget = 32_769, nameof(LlmOptions.ContextTokenBudget) },
        { o => o.HistoryTokenBudget = -1, nameof(LlmOptions.HistoryTokenBudget) },
        { o => o.MaxOutputTokens = 15, nameof(LlmOptions.MaxOutputTokens) },
        { o => o.Temperature = 2.1f, "value" },
        { o => o.Temperature = float.NaN, "value" },
        { o => o.RequestTimeout = TimeSpan.FromMilliseconds(999), nameof(LlmOptions.RequestTimeout) },
        { o => o.StreamIdleTimeout = TimeSpan.FromMilliseconds(99), nameof(LlmOptions.StreamIdleTimeout) },
        { o => o.MaxCallsPerMinute = 0, nameof(LlmOptions.MaxCallsPerMinute) },
        { o => o.MaxTokensPerDay = 999, nameof(LlmOptions.MaxTokensPerDay) },
        { o => o.CircuitBreakerFailures = 0, nameof(LlmOptions.CircuitBreakerFailures) },
        { o => o.CircuitBreakerDuration = TimeSpan.FromHours(2), nameof(LlmOptions.CircuitBreakerDuration) },
        { o => o.MaxToolCalls = 21, nameof(LlmOptions.MaxToolCalls) },
        { o => o.MaxSuggestions = 0, nameof(LlmOptions.MaxSuggestions) },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Setter_OutOfRange_ThrowsNamingTheProperty(Action<LlmOptions> set, string name)
    {
        var act = () => set(new LlmOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("en_US")]
    [InlineData("zh CN")]
    public void DefaultLanguage_NotATag_Throws(string value)
    {
        var act = () => new LlmOptions { DefaultLanguage = value };

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void MaxOutputTokens_Null_LeavesItToTheClient()
    {
        new LlmOptions { MaxOutputTokens = null }.MaxOutputTokens.Should().BeNull();
    }

    [Fact]
    public void Prompts_Empty_Throws()
    {
        var act = () => new AssistantPrompts { Optimizer = " " };

        act.Should().Throw<ArgumentException>();
    }
}
