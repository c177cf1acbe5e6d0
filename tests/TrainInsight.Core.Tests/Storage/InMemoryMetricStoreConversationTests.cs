namespace TrainInsight.Tests.Storage;

public class InMemoryMetricStoreConversationTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 12, 0, 0, 123, TimeSpan.FromHours(8));

    [Fact]
    public async Task GetConversationAsync_AfterAppend_ReturnsEveryFieldAsWritten()
    {
        using var store = new InMemoryMetricStore();
        ConversationMessage[] messages =
        [
            Message("run-a", "c1", 1, "为什么损失在第 40 步发散了？"),
            Message("run-a", "c1", 2, "He said \"don't\";\n-- DROP TABLE runs;\r\n\t'quoted'", ConversationRole.Assistant, AssistantSource.Rules),
            Message("run-a", "c1", 3, "摘要：学习率太高。", ConversationRole.Assistant, AssistantSource.Model),
        ];

        await store.AppendConversationAsync(messages);
        var read = await store.GetConversationAsync("run-a", "c1", 10);

        read.Should().BeEquivalentTo(messages, o => o.WithStrictOrdering());
        read.Select(m => (m.Role, m.Source)).Should().Equal(
            (ConversationRole.User, (AssistantSource?)null),
            (ConversationRole.Assistant, AssistantSource.Rules),
            (ConversationRole.Assistant, AssistantSource.Model));
        read[0].Text.Should().Be("为什么损失在第 40 步发散了？");
        read[1].Text.Should().Be("He said \"don't\";\n-- DROP TABLE runs;\r\n\t'quoted'");
        read[2].Timestamp.Should().Be(s_t0.AddSeconds(3));
        read[2].Timestamp.Millisecond.Should().Be(123);
    }

    [Fact]
    public async Task GetConversationAsync_LimitBelowCount_ReturnsTheLatestOldestFirst()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendConversationAsync([.. Enumerable.Range(1, 4).Select(i => Message("run-a", "c1", i))]);
        await store.AppendConversationAsync([.. Enumerable.Range(5, 3).Select(i => Message("run-a", "c1", i))]);

        (await store.GetConversationAsync("run-a", "c1", 3)).Select(m => m.Text).Should().Equal("m5", "m6", "m7");
        (await store.GetConversationAsync("run-a", "c1", 1)).Select(m => m.Text).Should().Equal("m7");
        (await store.GetConversationAsync("run-a", "c1", 100)).Select(m => m.Text).Should().Equal("m1", "m2", "m3", "m4", "m5", "m6", "m7");
    }

    [Fact]
    public async Task GetConversationAsync_OtherConversationsAndRuns_DoNotMix()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendConversationAsync(
        [
            Message("run-a", "c1", 1),
            Message("run-a", "c2", 2),
            Message("run-b", "c1", 3),
            Message("run-a", "c1", 4),
        ]);

        (await store.GetConversationAsync("run-a", "c1", 10)).Select(m => m.Text).Should().Equal("m1", "m4");
        (await store.GetConversationAsync("run-a", "c2", 10)).Select(m => m.Text).Should().Equal("m2");
        (await store.GetConversationAsync("run-b", "c1", 10)).Select(m => m.Text).Should().Equal("m3");
        (await store.GetConversationAsync("run-b", "c2", 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task GetConversationAsync_Unknown_ReturnsEmpty()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendConversationAsync([Message("run-a", "c1", 1)]);

        (await store.GetConversationAsync("run-x", "c1", 10)).Should().BeEmpty();
        (await store.GetConversationAsync("run-a", "C1", 10)).Should().BeEmpty("ids are compared ordinally");
    }

    [Theory]
    [InlineData(null, "c1", 1, typeof(ArgumentNullException))]
    [InlineData("", "c1", 1, typeof(ArgumentException))]
    [InlineData(" ", "c1", 1, typeof(ArgumentException))]
    [InlineData("run-a", null, 1, typeof(ArgumentNullException))]
    [InlineData("run-a", "\t", 1, typeof(ArgumentException))]
    [InlineData("run-a", "c1", 0, typeof(ArgumentOutOfRangeException))]
    [InlineData("run-a", "c1", -1, typeof(ArgumentOutOfRangeException))]
    public async Task GetConversationAsync_BadArguments_Throws(string? runId, string? conversationId, int limit, Type expected)
    {
        using var store = new InMemoryMetricStore();

        var read = () => store.GetConversationAsync(runId!, conversationId!, limit);

        (await read.Should().ThrowAsync<ArgumentException>()).Which.Should().BeOfType(expected);
    }

    [Fact]
    public async Task AppendConversationAsync_NullListOrItem_ThrowsAndKeepsNone()
    {
        using var store = new InMemoryMetricStore();

        var nullList = () => store.AppendConversationAsync(null!);
        var nullItem = () => store.AppendConversationAsync([Message("run-a", "c1", 1), null!]);

        await nullList.Should().ThrowAsync<ArgumentNullException>();
        (await nullItem.Should().ThrowAsync<ArgumentNullException>()).WithParameterName("messages");
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty("a batch is kept whole or not at all");
    }

    [Fact]
    public async Task AppendConversationAsync_Cancelled_ThrowsAndKeepsNone()
    {
        using var store = new InMemoryMetricStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var append = () => store.AppendConversationAsync([Message("run-a", "c1", 1)], cancelled.Token);

        await append.Should().ThrowAsync<OperationCanceledException>();
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendConversationAsync_BeyondTheCap_KeepsTheLatestMessagesOfThatConversationOnly()
    {
        InMemoryMetricStore.MaxConversationMessages.Should().Be(10_000);
        using var store = new InMemoryMetricStore();
        await store.AppendConversationAsync([Message("run-a", "other", 0)]);
        await store.AppendConversationAsync([.. Enumerable.Range(1, 9_998).Select(i => Message("run-a", "c1", i))]);
        await store.AppendConversationAsync([.. Enumerable.Range(9_999, 5).Select(i => Message("run-a", "c1", i))]);

        var kept = await store.GetConversationAsync("run-a", "c1", int.MaxValue);

        kept.Should().HaveCount(10_000);
        kept[0].Text.Should().Be("m4");
        kept[^1].Text.Should().Be("m10003");
        (await store.GetConversationAsync("run-a", "other", 10)).Should().ContainSingle();
    }

    private static ConversationMessage Message(
        string runId, string conversationId, int index, string? text = null, ConversationRole role = ConversationRole.User, AssistantSource? source = null)
    {
        return new ConversationMessage
        {
            RunId = runId,
            ConversationId = conversationId,
            Role = role,
            Text = text ?? "m" + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Timestamp = s_t0.AddSeconds(index),
            Source = source,
        };
    }
}
