namespace TrainInsight.Testing;

/// <summary>
/// What every <see cref="IMetricStore"/> must do, with <see cref="InMemoryMetricStore"/> as the reference: a store's
/// test class derives from this one and says how to create (and reopen) the store under test.
/// </summary>
public abstract class MetricStoreContractTests : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IMetricStore> _stores = [];

    /// <summary>Creates an empty store.</summary>
    protected abstract IMetricStore CreateStoreCore();

    /// <summary>Disposes <paramref name="store"/> and opens it again: a restart. Stores that end with the process return it as it is.</summary>
    protected virtual IMetricStore Reopen(IMetricStore store) => store;

    protected IMetricStore CreateStore() => Track(CreateStoreCore());

    protected IMetricStore Track(IMetricStore store)
    {
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    public static RunDescriptor Run(string id) => new(id)
    {
        Name = id + " name",
        ModelName = "SmallCnn",
        ParameterCount = 421_642,
        TotalEpochs = 8,
        StepsPerEpoch = 469,
        StartedAt = T0.AddMinutes(-1),
    };

    public static MetricEvent Metric(RunDescriptor run, long offset, long sequence, long step, IReadOnlyDictionary<string, double>? values = null) =>
        new(run, step, values ?? new Dictionary<string, double> { [MetricNames.TrainLoss] = 1.0 / step, [MetricNames.LearningRate] = 0.01 }, T0.AddSeconds(offset))
        {
            Epoch = (int)(step / 10) + 1,
            Batch = (int)(step % 10) + 1,
            Offset = offset,
            Sequence = sequence,
        };

    public static TrainingEvent Training(RunDescriptor run, TrainingEventKind kind, long offset, long sequence) =>
        new(run, kind, T0.AddSeconds(offset)) { Offset = offset, Sequence = sequence };

    public static TrainingEvent Control(RunDescriptor run, ControlAction action, ControlStatus status, long offset, long sequence, long step, string? message = null) =>
        new(run, TrainingEventKind.ControlApplied, T0.AddSeconds(offset))
        {
            Command = new ControlCommand(action, run.Id) { Id = $"cmd_{offset}", IssuedAt = T0.AddSeconds(offset - 0.5) },
            ControlStatus = status,
            Message = message,
            Step = step,
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>A revision of a finding, with evidence and a fix; the defaults make a warning raised at step 10.</summary>
    public static FindingEvent Finding(
        RunDescriptor run,
        string findingId,
        long offset,
        long sequence,
        FindingState state = FindingState.Open,
        FindingSeverity severity = FindingSeverity.Warning,
        int revision = 1,
        string label = FindingLabels.Overfitting) =>
        new(run, findingId, label, severity, state, $"{label} revision {revision}", T0.AddSeconds(offset))
        {
            Confidence = 0.75,
            Revision = revision,
            FirstStep = 10,
            Step = 10 * revision,
            FirstSeenAt = T0.AddSeconds(0.25),
            Evidence = [new FindingEvidence(MetricNames.ValLoss, 0.5 * revision, 10 * revision, "median of the last 5 samples", 0.4)],
            Fixes = [new SuggestedFix("early_stop", FixKind.LiveAction, "Stop the run", "Validation loss stopped improving.", [new FixCommand(ControlAction.Stop)])],
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>A finding with every property set, non-finite and negative-zero values included.</summary>
    public static FindingEvent RichFinding(RunDescriptor run, long offset, long sequence) =>
        new(run, $"{run.Id}/divergence/1", FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open, "train_loss is NaN at step 40 (best 0.31 at step 35).", T0.AddSeconds(offset).AddTicks(1234))
        {
            Confidence = 0.875,
            Revision = 3,
            FirstStep = 38,
            Step = 40,
            FirstSeenAt = T0.AddSeconds(offset - 2).AddTicks(5678),
            Evidence =
            [
                new FindingEvidence(MetricNames.TrainLoss, double.NaN, 40, "latest sample", 10),
                new FindingEvidence("epoch_loss", BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234), 39, "a NaN with a payload"),
                new FindingEvidence(MetricNames.GradientNorm, double.PositiveInfinity, 40, "latest sample", double.NegativeInfinity),
                new FindingEvidence(MetricNames.LearningRate, -0.0, 0, "learning rate", double.NaN),
                new FindingEvidence(MetricNames.ValLoss, 1.0 / 3, 35, "best, × 100 \"quoted\" ü", -0.0),
            ],
            Fixes =
            [
                new SuggestedFix(
                    "lower_learning_rate",
                    FixKind.LiveAction,
                    "Set the learning rate to 0.0001 (0.001 × 0.1)",
                    "A smaller step keeps the loss from overshooting.",
                    [new FixCommand(ControlAction.Pause), new FixCommand(ControlAction.SetLearningRate, 1e-4), new FixCommand(ControlAction.SetWeightDecay, -0.0), new FixCommand(ControlAction.Resume)]),
                new SuggestedFix("clip_gradients", FixKind.CodeChange, "Clip gradients to norm 1.0", "Caps the update when a batch explodes."),
            ],
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>A revision of a proposal that lowers the learning rate; the defaults make the pending first revision made by a rule.</summary>
    public static ProposalEvent Proposal(
        RunDescriptor run,
        string proposalId,
        long offset,
        long sequence,
        ProposalState state = ProposalState.Pending,
        int revision = 1,
        ProposalSource source = ProposalSource.Rule) =>
        new(run, proposalId, state, source, [new FixCommand(ControlAction.SetLearningRate, 0.001)], $"{proposalId} revision {revision}", T0.AddSeconds(offset))
        {
            Revision = revision,
            CreatedAt = T0.AddSeconds(0.5),
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>A proposal revision with every property set: a path, -0.0 and NaN among its numbers, text that needs escaping.</summary>
    public static ProposalEvent RichProposal(RunDescriptor run, long offset, long sequence, string proposalId = "prop_0123456789abcdef0123456789abcdef") =>
        new(
            run,
            proposalId,
            ProposalState.Applied,
            ProposalSource.Revert,
            [
                new FixCommand(ControlAction.RestoreCheckpoint) { Path = "/tmp/ckpt/run \"a\"/step-40.bin" },
                new FixCommand(ControlAction.SetLearningRate, 1e-4),
                new FixCommand(ControlAction.SetWeightDecay, -0.0),
                new FixCommand(ControlAction.Resume),
            ],
            "Restore the checkpoint of step 40 and set the learning rate to 0.0001 (0.01 ÷ 100)",
            T0.AddSeconds(offset).AddTicks(1234))
        {
            Revision = 4,
            CreatedAt = T0.AddSeconds(offset - 30).AddTicks(5678),
            Rationale = "train_loss rose from 0.31 to 0.92 (× 2.97) in the 20 steps after the change; 学习率过高.",
            ExpectedEffect = "train_loss back to 0.31 within 20 steps.",
            FindingId = $"{run.Id}/divergence/1",
            FindingLabel = FindingLabels.Divergence,
            TargetMetric = MetricNames.TrainLoss,
            Actor = "alice@example.com",
            Reason = "the trainer applied 4 of 4 commands",
            AutoApplied = true,
            CommandIds = ["cmd_1", "cmd_2", "cmd_3", "cmd_4"],
            CheckpointPath = "/tmp/ckpt/run-a/step-41.bin",
            PreviousValues = new Dictionary<string, double> { [MetricNames.LearningRate] = 0.01, ["weight_decay"] = -0.0, ["momentum"] = 0.9 },
            AppliedStep = 41,
            Outcome = new ProposalOutcome(MetricNames.TrainLoss, ProposalVerdict.Hurt, 0.31, double.NaN, 1.0 / 3, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234), "train_loss became NaN at step 45 (0.31 before).")
            {
                BeforeCount = 20,
                AfterCount = 5,
                FromStep = 21,
                ToStep = 45,
            },
            RevertOf = "prop_ffffffffffffffffffffffffffffffff",
            SupersededBy = "prop_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>An automatic analysis with every property set.</summary>
    public static AssistantAnalysisEvent Analysis(RunDescriptor run, long offset, long sequence) =>
        new(run, "finding", AssistantSource.Model, "The loss diverged at step 40: 学习率太高, lower it 10×.", T0.AddSeconds(offset).AddTicks(99))
        {
            Step = 40,
            Epoch = 2,
            FindingId = $"{run.Id}/divergence/1",
            Language = "zh-CN",
            Notice = "answered in 1.2 s",
            ModelId = "gpt-test",
            ProposalIds = ["prop_1", "prop_2"],
            Offset = offset,
            Sequence = sequence,
        };

    /// <summary>Two interleaved runs: a (offsets 1, 2, 4, 6) and b (3, 5), with a start, metrics, an epoch and an end.</summary>
    public static List<TrainInsightEvent> TwoRuns(out RunDescriptor a, out RunDescriptor b)
    {
        a = Run("run-a");
        b = Run("run-b");
        return
        [
            Training(a, TrainingEventKind.RunStarted, 1, 1),
            Metric(a, 2, 2, 1),
            Metric(b, 3, 1, 1),
            Metric(a, 4, 3, 2),
            Metric(b, 5, 2, 2, new Dictionary<string, double> { ["zeta"] = 5, ["alpha"] = 6 }),
            new TrainingEvent(a, TrainingEventKind.EpochCompleted, T0.AddSeconds(6))
            {
                Step = 2,
                Epoch = 1,
                State = RunState.Completed,
                Metrics = new Dictionary<string, double> { [MetricNames.ValLoss] = 0.25, [MetricNames.ValAccuracy] = 0.9 },
                CheckpointPath = "/tmp/checkpoint-1.bin",
                Message = "done",
                Offset = 6,
                Sequence = 4,
            },
        ];
    }

    [Fact]
    public async Task ReadEventsAsync_AfterAppend_ReturnsEqualEventsWithOriginalPositions()
    {
        var store = CreateStore();
        var events = TwoRuns(out _, out _);

        await store.AppendAsync(events);
        var read = await store.ReadEventsAsync(0, 100);

        read.Should().BeEquivalentTo(events, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        read.Select(e => e.GetType()).Should().Equal(events.Select(e => e.GetType()));
    }

    [Fact]
    public async Task ReadEventsAsync_ManyBatches_ReturnsAllInOffsetOrder()
    {
        var store = CreateStore();
        var run = Run("run-a");
        for (var batch = 0; batch < 5; batch++)
        {
            await store.AppendAsync([.. Enumerable.Range(1, 20).Select(i => Metric(run, (batch * 20) + i, (batch * 20) + i, (batch * 20) + i))]);
        }

        var read = await store.ReadEventsAsync(0, 1_000);

        read.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, 100).Select(i => (long)i));
    }

    [Fact]
    public async Task ReadEventsAsync_AfterOffsetAndLimit_ReturnsThatWindow()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var read = await store.ReadEventsAsync(2, 3);

        read.Select(e => e.Offset).Should().Equal(3, 4, 5);
    }

    [Fact]
    public async Task ReadEventsAsync_RunFilter_ReturnsOnlyThatRun()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var all = await store.ReadEventsAsync(0, 100, "run-a");
        var window = await store.ReadEventsAsync(2, 2, "run-a");
        var unknown = await store.ReadEventsAsync(0, 100, "run-x");

        all.Select(e => e.Offset).Should().Equal(1, 2, 4, 6);
        all.Should().OnlyContain(e => e.RunId == "run-a");
        all.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4);
        window.Select(e => e.Offset).Should().Equal(4, 6);
        unknown.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadEventsAsync_EventsOfOneRun_ShareOneDescriptor()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var read = await store.ReadEventsAsync(0, 100);

        var a = read.Where(e => e.RunId == "run-a").ToList();
        a.Should().OnlyContain(e => ReferenceEquals(e.Run, a[0].Run));
        a[0].Run.Should().BeEquivalentTo(Run("run-a"));
    }

    [Fact]
    public async Task AppendAsync_OtherEventTypes_AreIgnored()
    {
        var store = CreateStore();
        var run = Run("run-a");

        await store.AppendAsync([Metric(run, 1, 1, 1), new GapEvent(run, 1, 2, 2, 2), Metric(run, 3, 2, 2)]);

        (await store.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(1, 3);
        (await store.GetRunAsync("run-a"))!.EventCount.Should().Be(2);
    }

    [Fact]
    public async Task AppendAsync_EmptyBatch_StoresNothing()
    {
        var store = CreateStore();

        await store.AppendAsync([]);

        (await store.ReadEventsAsync(0, 100)).Should().BeEmpty();
        (await store.GetRunsAsync(10)).Should().BeEmpty();
        store.LoadState().LastOffset.Should().Be(0);
    }

    [Fact]
    public async Task GetRunsAsync_TwoRuns_MostRecentlyUpdatedFirstWithSummaries()
    {
        var store = CreateStore();
        var events = TwoRuns(out var a, out var b);
        await store.AppendAsync(events[..5]);
        var beforeEnd = await store.GetRunsAsync(10);

        await store.AppendAsync(events[5..]);
        var runs = await store.GetRunsAsync(10);
        var limited = await store.GetRunsAsync(1);

        beforeEnd.Select(r => r.Run.Id).Should().Equal("run-b", "run-a");
        runs.Select(r => r.Run.Id).Should().Equal("run-a", "run-b");
        limited.Select(r => r.Run.Id).Should().Equal("run-a");
        runs[0].Should().BeEquivalentTo(new StoredRun
        {
            Run = a,
            State = RunState.Completed,
            FirstEventAt = T0.AddSeconds(1),
            LastEventAt = T0.AddSeconds(6),
            EventCount = 4,
            LastSequence = 4,
            LastOffset = 6,
            LastStep = 2,
            LastEpoch = 1,
            MetricNames = [MetricNames.LearningRate, MetricNames.TrainLoss],
        });
        runs[1].Should().BeEquivalentTo(new StoredRun
        {
            Run = b,
            State = RunState.Training,
            FirstEventAt = T0.AddSeconds(3),
            LastEventAt = T0.AddSeconds(5),
            EventCount = 2,
            LastSequence = 2,
            LastOffset = 5,
            LastStep = 2,
            LastEpoch = 1,
            MetricNames = ["alpha", MetricNames.LearningRate, MetricNames.TrainLoss, "zeta"],
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task GetRunAsync_KnownAndUnknown_ReturnsRunOrNull()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        (await store.GetRunAsync("run-b"))!.LastOffset.Should().Be(5);
        (await store.GetRunAsync("run-x")).Should().BeNull();
    }

    [Fact]
    public async Task GetMetricsAsync_AllNames_OrderedByOffsetThenName()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var points = await store.GetMetricsAsync(new MetricQuery("run-b"));

        points.Should().Equal(
            new MetricPoint("run-b", MetricNames.LearningRate, 1, 0.01, T0.AddSeconds(3), 1, 3),
            new MetricPoint("run-b", MetricNames.TrainLoss, 1, 1.0, T0.AddSeconds(3), 1, 3),
            new MetricPoint("run-b", "alpha", 2, 6, T0.AddSeconds(5), 2, 5),
            new MetricPoint("run-b", "zeta", 2, 5, T0.AddSeconds(5), 2, 5));
    }

    [Fact]
    public async Task GetMetricsAsync_NamesAfterStepAndLimit_ReturnsMatchingPoints()
    {
        var store = CreateStore();
        var run = Run("run-a");
        await store.AppendAsync([.. Enumerable.Range(1, 10).Select(i => Metric(run, i, i, i))]);

        var names = await store.GetMetricsAsync(new MetricQuery("run-a") { Names = [MetricNames.TrainLoss, "missing"] });
        var afterStep = await store.GetMetricsAsync(new MetricQuery("run-a") { Names = [MetricNames.TrainLoss], AfterStep = 7 });
        var limited = await store.GetMetricsAsync(new MetricQuery("run-a") { AfterStep = 2, Limit = 3 });
        var none = await store.GetMetricsAsync(new MetricQuery("run-a") { Names = [] });
        var unknown = await store.GetMetricsAsync(new MetricQuery("run-x"));

        names.Select(p => p.Step).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        names.Should().OnlyContain(p => p.Name == MetricNames.TrainLoss && p.Value == 1.0 / p.Step && p.Sequence == p.Step && p.Offset == p.Step);
        afterStep.Select(p => p.Step).Should().Equal(8, 9, 10);
        limited.Select(p => (p.Step, p.Name)).Should().Equal((3, MetricNames.LearningRate), (3, MetricNames.TrainLoss), (4, MetricNames.LearningRate));
        none.Should().BeEmpty();
        unknown.Should().BeEmpty();
    }

    [Fact]
    public async Task GetMetricsAsync_NonFiniteAndNegativeZero_RoundTripBitForBit()
    {
        var store = CreateStore();
        var run = Run("run-a");
        var payloadNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234);
        var values = new Dictionary<string, double>
        {
            ["nan"] = double.NaN,
            ["nan_payload"] = payloadNaN,
            ["pos_inf"] = double.PositiveInfinity,
            ["neg_inf"] = double.NegativeInfinity,
            ["neg_zero"] = -0.0,
            ["zero"] = 0.0,
            ["max"] = double.MaxValue,
            ["epsilon"] = double.Epsilon,
            ["third"] = 1.0 / 3,
            ["integral"] = 42.0,
        };
        var epoch = new TrainingEvent(run, TrainingEventKind.EpochCompleted, T0) { Metrics = values, Offset = 2, Sequence = 2 };

        await store.AppendAsync([Metric(run, 1, 1, 1, values), epoch]);
        var points = await store.GetMetricsAsync(new MetricQuery("run-a"));
        var read = await store.ReadEventsAsync(0, 10);

        var expected = values.ToDictionary(v => v.Key, v => BitConverter.DoubleToInt64Bits(v.Value));
        points.ToDictionary(p => p.Name, p => BitConverter.DoubleToInt64Bits(p.Value)).Should().Equal(expected);
        ((MetricEvent)read[0]).Values.ToDictionary(v => v.Key, v => BitConverter.DoubleToInt64Bits(v.Value)).Should().Equal(expected);
        ((TrainingEvent)read[1]).Metrics.ToDictionary(v => v.Key, v => BitConverter.DoubleToInt64Bits(v.Value)).Should().Equal(expected);
    }

    [Fact]
    public async Task ReadMetricsAsync_AllNames_StreamsWhatGetMetricsReturnsInOffsetThenNameOrder()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var points = await ReadAllAsync(store, new MetricQuery("run-b"));

        points.Should().Equal(
            new MetricPoint("run-b", MetricNames.LearningRate, 1, 0.01, T0.AddSeconds(3), 1, 3),
            new MetricPoint("run-b", MetricNames.TrainLoss, 1, 1.0, T0.AddSeconds(3), 1, 3),
            new MetricPoint("run-b", "alpha", 2, 6, T0.AddSeconds(5), 2, 5),
            new MetricPoint("run-b", "zeta", 2, 5, T0.AddSeconds(5), 2, 5));
        points.Should().Equal(await store.GetMetricsAsync(new MetricQuery("run-b")));
    }

    [Fact]
    public async Task ReadMetricsAsync_NamesAndAfterStep_StreamsOnlyThosePointsWhateverTheLimit()
    {
        var store = CreateStore();
        var run = Run("run-a");
        await store.AppendAsync([.. Enumerable.Range(1, 10).Select(i => Metric(run, i, i, i))]);

        var names = await ReadAllAsync(store, new MetricQuery("run-a") { Names = [MetricNames.TrainLoss, "missing", MetricNames.TrainLoss], Limit = 1 });
        var afterStep = await ReadAllAsync(store, new MetricQuery("run-a") { Names = [MetricNames.TrainLoss], AfterStep = 7 });
        var everyName = await ReadAllAsync(store, new MetricQuery("run-a") { AfterStep = 8, Limit = 1 });
        var none = await ReadAllAsync(store, new MetricQuery("run-a") { Names = [] });
        var unknown = await ReadAllAsync(store, new MetricQuery("run-x"));

        names.Select(p => p.Step).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i), "the limit is GetMetricsAsync's, not the stream's");
        names.Should().OnlyContain(p => p.Name == MetricNames.TrainLoss && p.Value == 1.0 / p.Step && p.Sequence == p.Step && p.Offset == p.Step);
        afterStep.Select(p => p.Step).Should().Equal(8, 9, 10);
        everyName.Select(p => (p.Step, p.Name)).Should().Equal(
            (9, MetricNames.LearningRate), (9, MetricNames.TrainLoss), (10, MetricNames.LearningRate), (10, MetricNames.TrainLoss));
        none.Should().BeEmpty();
        unknown.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadMetricsAsync_ManyEventsOfTwoRunsInBatches_StreamsEveryPointOnceInOrderAfterReopen()
    {
        // 10,000 events of run a (more than any one chunk or page a store reads at a time) interleaved with run b's; names
        // inserted out of order, a step carried by two events, and events that share some names and not others.
        var store = CreateStore();
        var a = Run("run-a");
        var b = Run("run-b");
        var events = new List<TrainInsightEvent>();
        long offset = 0;
        for (var step = 1; step <= 5_000; step++)
        {
            var values = new Dictionary<string, double> { ["zeta"] = step, [MetricNames.TrainLoss] = 1.0 / step };
            if (step % 3 == 0)
            {
                values["alpha"] = -step;
            }

            events.Add(Metric(a, ++offset, offset, step, values));
            events.Add(Metric(a, ++offset, offset, step, new Dictionary<string, double> { [MetricNames.ValLoss] = 2.0 / step, ["alpha"] = step }));
            if (step % 100 == 0)
            {
                events.Add(Metric(b, ++offset, offset, step, new Dictionary<string, double> { ["zeta"] = 0 }));
            }
        }

        foreach (var batch in events.Chunk(1_000))
        {
            await store.AppendAsync(batch);
        }

        store = Track(Reopen(store));

        var expected = events.OfType<MetricEvent>().Where(e => e.RunId == "run-a")
            .SelectMany(e => e.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new MetricPoint("run-a", v.Key, e.Step, v.Value, e.Timestamp, e.Sequence, e.Offset)))
            .ToList();
        (await ReadAllAsync(store, new MetricQuery("run-a"))).Should().Equal(expected);
        (await ReadAllAsync(store, new MetricQuery("run-a") { Names = ["zeta", "alpha", MetricNames.ValLoss] }))
            .Should().Equal(expected.Where(p => p.Name is "zeta" or "alpha" or MetricNames.ValLoss));
        (await ReadAllAsync(store, new MetricQuery("run-a") { Names = ["alpha"], AfterStep = 4_990 }))
            .Select(p => (p.Step, p.Value)).Should().Equal(
                (4_991, 4_991), (4_992, -4_992), (4_992, 4_992), (4_993, 4_993), (4_994, 4_994), (4_995, -4_995), (4_995, 4_995),
                (4_996, 4_996), (4_997, 4_997), (4_998, -4_998), (4_998, 4_998), (4_999, 4_999), (5_000, 5_000));
        (await ReadAllAsync(store, new MetricQuery("run-b"))).Should().HaveCount(50).And.OnlyContain(p => p.Name == "zeta" && p.Step % 100 == 0);
    }

    [Fact]
    public async Task ReadMetricsAsync_NonFiniteAndNegativeZero_RoundTripBitForBit()
    {
        var store = CreateStore();
        var run = Run("run-a");
        var values = new Dictionary<string, double>
        {
            ["nan"] = double.NaN,
            ["nan_payload"] = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234),
            ["pos_inf"] = double.PositiveInfinity,
            ["neg_inf"] = double.NegativeInfinity,
            ["neg_zero"] = -0.0,
            ["zero"] = 0.0,
            ["max"] = double.MaxValue,
            ["epsilon"] = double.Epsilon,
        };

        await store.AppendAsync([Metric(run, 1, 1, 1, values)]);
        var all = await ReadAllAsync(store, new MetricQuery("run-a"));
        var some = await ReadAllAsync(store, new MetricQuery("run-a") { Names = ["nan_payload", "neg_zero", "nan"] });

        var expected = values.ToDictionary(v => v.Key, v => BitConverter.DoubleToInt64Bits(v.Value));
        all.ToDictionary(p => p.Name, p => BitConverter.DoubleToInt64Bits(p.Value)).Should().Equal(expected);
        some.Select(p => (p.Name, BitConverter.DoubleToInt64Bits(p.Value))).Should().Equal(
            ("nan", expected["nan"]), ("nan_payload", expected["nan_payload"]), ("neg_zero", expected["neg_zero"]));
    }

    [Fact]
    public async Task ReadMetricsAsync_Cancelled_ThrowsOperationCanceledBeforeTheEnd()
    {
        var store = CreateStore();
        var run = Run("run-a");
        await store.AppendAsync([.. Enumerable.Range(1, 20_000).Select(i => Metric(run, i, i, i))]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var midway = new CancellationTokenSource();

        var before = () => ReadAllAsync(store, new MetricQuery("run-a"), cancelled.Token);
        var withCancellation = async () =>
        {
            await foreach (var point in store.ReadMetricsAsync(new MetricQuery("run-a")).WithCancellation(cancelled.Token))
            {
            }
        };
        var read = 0;
        var during = async () =>
        {
            await foreach (var point in store.ReadMetricsAsync(new MetricQuery("run-a"), midway.Token))
            {
                if (++read == 1)
                {
                    await midway.CancelAsync();
                }
            }
        };

        await before.Should().ThrowAsync<OperationCanceledException>();
        await withCancellation.Should().ThrowAsync<OperationCanceledException>();
        await during.Should().ThrowAsync<OperationCanceledException>();
        read.Should().BeLessThan(40_000, "the read stops before its end");
        FluentActions.Invoking(() => store.ReadMetricsAsync(null!)).Should().Throw<ArgumentNullException>("the query is checked when the read is asked for");
    }

    /// <summary>Reads the whole stream into a list.</summary>
    protected static async Task<List<MetricPoint>> ReadAllAsync(IMetricStore store, MetricQuery query, CancellationToken cancellationToken = default)
    {
        var points = new List<MetricPoint>();
        await foreach (var point in store.ReadMetricsAsync(query, cancellationToken))
        {
            points.Add(point);
        }

        return points;
    }

    [Fact]
    public async Task GetCommandsAsync_ControlAcknowledgements_ReturnsAuditTrailWithOutcomes()
    {
        var store = CreateStore();
        var run = Run("run-a");
        var other = Run("run-b");
        await store.AppendAsync(
        [
            Metric(run, 1, 1, 1),
            Control(run, ControlAction.Pause, ControlStatus.Applied, 2, 2, 1),
            Control(other, ControlAction.Stop, ControlStatus.Applied, 3, 1, 9),
            Training(run, TrainingEventKind.CheckpointSaved, 4, 3),
            Control(run, ControlAction.Pause, ControlStatus.Rejected, 5, 4, 1, "already paused"),
        ]);
        await store.AppendAsync([Control(run, ControlAction.Resume, ControlStatus.Applied, 6, 5, 1)]);

        var records = await store.GetCommandsAsync("run-a");

        records.Should().BeEquivalentTo(
            new[]
            {
                new ControlRecord { CommandId = "cmd_2", RunId = "run-a", Action = ControlAction.Pause, IssuedAt = T0.AddSeconds(1.5), Status = ControlStatus.Applied, HandledAt = T0.AddSeconds(2), Step = 1, Message = null, Offset = 2 },
                new ControlRecord { CommandId = "cmd_5", RunId = "run-a", Action = ControlAction.Pause, IssuedAt = T0.AddSeconds(4.5), Status = ControlStatus.Rejected, HandledAt = T0.AddSeconds(5), Step = 1, Message = "already paused", Offset = 5 },
                new ControlRecord { CommandId = "cmd_6", RunId = "run-a", Action = ControlAction.Resume, IssuedAt = T0.AddSeconds(5.5), Status = ControlStatus.Applied, HandledAt = T0.AddSeconds(6), Step = 1, Message = null, Offset = 6 },
            },
            o => o.WithStrictOrdering());
        (await store.GetCommandsAsync("run-b")).Select(r => r.CommandId).Should().Equal("cmd_3");
        (await store.GetCommandsAsync("run-x")).Should().BeEmpty();
    }

    [Fact]
    public async Task GetCommandsAsync_CommandValues_RoundTripExactlyIncludingNaN()
    {
        var store = CreateStore();
        var run = Run("run-a");
        TrainingEvent WithValue(ControlAction action, double? value, ControlStatus status, long offset) =>
            new(run, TrainingEventKind.ControlApplied, T0.AddSeconds(offset))
            {
                Command = new ControlCommand(action, run.Id, value) { Id = $"cmd_{offset}", IssuedAt = T0.AddSeconds(offset - 0.5) },
                ControlStatus = status,
                Message = status == ControlStatus.Rejected ? "invalid" : null,
                Step = 1,
                Offset = offset,
                Sequence = offset,
            };
        await store.AppendAsync(
        [
            WithValue(ControlAction.SetLearningRate, 0.02, ControlStatus.Applied, 1),
            WithValue(ControlAction.SetLearningRate, double.NaN, ControlStatus.Rejected, 2),
            WithValue(ControlAction.SetWeightDecay, double.NegativeInfinity, ControlStatus.Rejected, 3),
            WithValue(ControlAction.SetWeightDecay, -0.0, ControlStatus.Rejected, 4),
            WithValue(ControlAction.Pause, null, ControlStatus.Applied, 5),
        ]);
        store = Reopen(store);

        var records = await store.GetCommandsAsync("run-a");

        records.Select(r => r.Action).Should().Equal(
            ControlAction.SetLearningRate, ControlAction.SetLearningRate, ControlAction.SetWeightDecay, ControlAction.SetWeightDecay, ControlAction.Pause);
        records[0].Value.Should().Be(0.02);
        double.IsNaN(records[1].Value!.Value).Should().BeTrue("a rejected NaN argument is audited as NaN");
        records[2].Value.Should().Be(double.NegativeInfinity);
        BitConverter.DoubleToInt64Bits(records[3].Value!.Value).Should().Be(BitConverter.DoubleToInt64Bits(-0.0));
        records[4].Value.Should().BeNull();
        var events = (await store.ReadEventsAsync(0, 100)).OfType<TrainingEvent>().ToList();
        events.Select(e => e.Command?.Value).Take(3).Should().BeEquivalentTo(new double?[] { 0.02, double.NaN, double.NegativeInfinity }, o => o.WithStrictOrdering());
        events[4].Command!.Value.Should().BeNull();
    }

    [Fact]
    public async Task GetCommandsAsync_EveryAction_RoundTripsWithValueAndMessage()
    {
        var store = CreateStore();
        var run = Run("run-a");
        var actions = Enum.GetValues<ControlAction>();
        static double? ValueOf(ControlAction action) => action switch
        {
            ControlAction.SetLearningRate => 0.01,
            ControlAction.SetWeightDecay => 1e-4,
            ControlAction.SetEarlyStopping => 5,
            _ => null,
        };
        static string? MessageOf(ControlAction action) => action switch
        {
            ControlAction.SaveCheckpoint => "Saved checkpoint /tmp/ckpt/run-a-step-7.bin.",
            ControlAction.Evaluate => "val_loss 0.4132, val_accuracy 0.8617.",
            _ => null,
        };
        await store.AppendAsync(
        [
            .. actions.Select((action, i) => (TrainInsightEvent)new TrainingEvent(run, TrainingEventKind.ControlApplied, T0.AddSeconds(i + 1))
            {
                Command = new ControlCommand(action, run.Id, ValueOf(action)) { Id = $"cmd_{i + 1}", IssuedAt = T0.AddSeconds(i + 0.5) },
                ControlStatus = ControlStatus.Applied,
                Message = MessageOf(action),
                Step = 7,
                Offset = i + 1,
                Sequence = i + 1,
            }),
        ]);
        store = Reopen(store);

        var records = await store.GetCommandsAsync("run-a");
        var events = (await store.ReadEventsAsync(0, 100)).OfType<TrainingEvent>().ToList();

        records.Select(r => r.Action).Should().Equal(actions);
        records.Select(r => r.Value).Should().Equal(actions.Select(ValueOf));
        records.Select(r => r.Message).Should().Equal(actions.Select(MessageOf));
        events.Select(e => e.Command!.Action).Should().Equal(actions);
        events.Select(e => e.Command!.Value).Should().Equal(actions.Select(ValueOf));
        events.Select(e => e.Message).Should().Equal(actions.Select(MessageOf));
    }

    [Fact]
    public void LoadState_NewStore_IsEmpty()
    {
        var state = CreateStore().LoadState();

        state.LastOffset.Should().Be(0);
        state.LastSequences.Should().BeEmpty();
    }

    [Fact]
    public async Task LoadState_AfterReopen_ReturnsLastOffsetAndEachRunsLastSequence()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        var reopened = Track(Reopen(store));
        var state = reopened.LoadState();

        state.LastOffset.Should().Be(6);
        state.LastSequences.Should().BeEquivalentTo(new Dictionary<string, long> { ["run-a"] = 4, ["run-b"] = 2 });
        (await reopened.ReadEventsAsync(0, 100)).Should().BeEquivalentTo(TwoRuns(out _, out _), o => o.RespectingRuntimeTypes().WithStrictOrdering());
        (await reopened.GetRunsAsync(10)).Select(r => (r.Run.Id, r.EventCount, r.State)).Should().Equal(("run-a", 4L, RunState.Completed), ("run-b", 2L, RunState.Training));
        (await reopened.GetRunAsync("run-b"))!.MetricNames.Should().Equal("alpha", MetricNames.LearningRate, MetricNames.TrainLoss, "zeta");
    }

    [Fact]
    public async Task AppendAsync_AfterReopen_ContinuesRunSummaries()
    {
        var store = CreateStore();
        var run = Run("run-a");
        await store.AppendAsync([Metric(run, 1, 1, 1), Metric(run, 2, 2, 2)]);

        var reopened = Track(Reopen(store));
        await reopened.AppendAsync([Metric(run, 3, 3, 3, new Dictionary<string, double> { ["extra"] = 1 })]);

        var summary = await reopened.GetRunAsync("run-a");
        summary!.EventCount.Should().Be(3);
        summary.LastOffset.Should().Be(3);
        summary.FirstEventAt.Should().Be(T0.AddSeconds(1));
        summary.MetricNames.Should().Equal("extra", MetricNames.LearningRate, MetricNames.TrainLoss);
        (await reopened.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task AppendAsync_RunWithHyperparameters_RunAndEventsReadBackCarryThemAfterReopen()
    {
        var store = CreateStore();
        var hyperparameters = new Dictionary<string, HyperparameterValue>
        {
            [HyperparameterNames.Optimizer] = "sgd",
            [HyperparameterNames.LearningRate] = 0.05,
            [HyperparameterNames.Shuffle] = false,
            [HyperparameterNames.Seed] = 42,
        };
        var run = new RunDescriptor("run-h") { StartedAt = T0, Hyperparameters = hyperparameters };
        await store.AppendAsync([Metric(run, 1, 1, 1)]);

        var reopened = Track(Reopen(store));

        (await reopened.GetRunAsync("run-h"))!.Run.Hyperparameters.Should().BeEquivalentTo(hyperparameters);
        (await reopened.ReadEventsAsync(0, 10)).Single().Run.Hyperparameters.Should().BeEquivalentTo(hyperparameters);
        (await reopened.GetRunAsync("run-h"))!.Run.Hyperparameters[HyperparameterNames.Seed].Kind.Should().Be(HyperparameterKind.Number);
    }

    [Fact]
    public async Task ReadEventsAsync_FindingEvents_RoundTripEveryPropertyInOffsetOrderAfterReopen()
    {
        var store = CreateStore();
        var run = Run("run-f");
        var other = Run("run-g");
        var rich = RichFinding(run, 3, 3);
        List<TrainInsightEvent> events =
        [
            Training(run, TrainingEventKind.RunStarted, 1, 1),
            Metric(run, 2, 2, 1),
            rich,
            Finding(other, "run-g/overfitting/1", 4, 1),
            Finding(run, "run-f/plateau/1", 5, 4, FindingState.Resolved, FindingSeverity.Info, 2, FindingLabels.Plateau),
            Metric(run, 6, 5, 2),
        ];
        await store.AppendAsync(events[..4]);
        await store.AppendAsync(events[4..]);
        store = Track(Reopen(store));

        var read = await store.ReadEventsAsync(0, 100);
        var window = await store.ReadEventsAsync(2, 2, "run-f");

        read.Should().BeEquivalentTo(events, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        read.Select(e => e.GetType()).Should().Equal(events.Select(e => e.GetType()));
        window.Select(e => e.Offset).Should().Equal(3, 5);
        var finding = read[2].Should().BeOfType<FindingEvent>().Subject;
        (finding.Timestamp, finding.FirstSeenAt).Should().Be((rich.Timestamp, rich.FirstSeenAt), "times keep their ticks");
        finding.Evidence.Select(e => BitConverter.DoubleToInt64Bits(e.Value)).Should().Equal(rich.Evidence.Select(e => BitConverter.DoubleToInt64Bits(e.Value)), "NaN payloads, infinities and -0.0 are kept bit for bit");
        finding.Evidence.Select(e => e.Threshold is { } t ? BitConverter.DoubleToInt64Bits(t) : (long?)null)
            .Should().Equal(rich.Evidence.Select(e => e.Threshold is { } t ? BitConverter.DoubleToInt64Bits(t) : (long?)null));
        finding.Fixes[0].Commands.Select(c => c.Value is { } v ? BitConverter.DoubleToInt64Bits(v) : (long?)null)
            .Should().Equal(rich.Fixes[0].Commands.Select(c => c.Value is { } v ? BitConverter.DoubleToInt64Bits(v) : (long?)null));
        finding.Fixes[1].Commands.Should().BeEmpty();
        (await store.GetRunAsync("run-f"))!.EventCount.Should().Be(5, "a finding is an event of its run");
        store.LoadState().LastSequences["run-g"].Should().Be(1);
    }

    [Fact]
    public async Task GetFindingsAsync_Revisions_ReturnsTheLatestOfEachInTheOrderFirstRaised()
    {
        var store = CreateStore();
        var run = Run("run-f");
        var aUpdated = Finding(run, "a", 3, 3, revision: 2, severity: FindingSeverity.Critical);
        var bResolved = Finding(run, "b", 6, 6, FindingState.Resolved, revision: 2);
        var c = Finding(run, "c", 5, 5, label: FindingLabels.Plateau);
        var rich = RichFinding(run, 7, 7);
        await store.AppendAsync([Finding(run, "a", 1, 1), Finding(run, "b", 2, 2), aUpdated, Metric(run, 4, 4, 20)]);
        await store.AppendAsync([c, bResolved, rich, Finding(Run("run-other"), "a", 8, 1)]);

        var findings = await store.GetFindingsAsync(new FindingQuery("run-f"));
        var reopened = await Track(Reopen(store)).GetFindingsAsync(new FindingQuery("run-f"));

        findings.Should().BeEquivalentTo(new[] { aUpdated, bResolved, c, rich }, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        reopened.Should().BeEquivalentTo(new[] { aUpdated, bResolved, c, rich }, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        reopened[3].Evidence.Select(e => BitConverter.DoubleToInt64Bits(e.Value)).Should().Equal(rich.Evidence.Select(e => BitConverter.DoubleToInt64Bits(e.Value)));
        reopened.Select(f => (f.FindingId, f.Revision, f.Offset, f.Sequence)).Should().Equal(("a", 2, 3L, 3L), ("b", 2, 6L, 6L), ("c", 1, 5L, 5L), (rich.FindingId, 3, 7L, 7L));
    }

    [Fact]
    public async Task GetFindingsAsync_StateSeverityAndLimit_FilterOnTheLatestRevision()
    {
        var store = CreateStore();
        var run = Run("run-f");
        await store.AppendAsync(
        [
            Finding(run, "a", 1, 1, severity: FindingSeverity.Warning),
            Finding(run, "b", 2, 2, severity: FindingSeverity.Critical),
            Finding(run, "c", 3, 3, severity: FindingSeverity.Info),
            Finding(run, "d", 4, 4, FindingState.Resolved, FindingSeverity.Warning),
            Finding(run, "a", 5, 5, severity: FindingSeverity.Critical, revision: 2),
            Finding(run, "b", 6, 6, FindingState.Resolved, FindingSeverity.Critical, revision: 2),
            Finding(run, "e", 7, 7, severity: FindingSeverity.Critical),
            Finding(run, "e", 8, 8, severity: FindingSeverity.Info, revision: 2),
        ]);
        store = Track(Reopen(store));

        async Task<IEnumerable<string>> IdsAsync(FindingState? state = null, FindingSeverity? min = null, int limit = 1_000) =>
            (await store.GetFindingsAsync(new FindingQuery("run-f") { State = state, MinSeverity = min, Limit = limit })).Select(f => $"{f.FindingId}{f.Revision}");

        (await IdsAsync()).Should().Equal("a2", "b2", "c1", "d1", "e2");
        (await IdsAsync(FindingState.Open)).Should().Equal("a2", "c1", "e2");
        (await IdsAsync(FindingState.Resolved)).Should().Equal("b2", "d1");
        (await IdsAsync(min: FindingSeverity.Info)).Should().Equal("a2", "b2", "c1", "d1", "e2");
        (await IdsAsync(min: FindingSeverity.Warning)).Should().Equal("a2", "b2", "d1");
        (await IdsAsync(min: FindingSeverity.Critical)).Should().Equal("a2", "b2");
        (await IdsAsync(FindingState.Open, FindingSeverity.Critical)).Should().Equal("a2");
        (await IdsAsync(FindingState.Resolved, FindingSeverity.Critical)).Should().Equal("b2");
        (await IdsAsync(limit: 2)).Should().Equal("a2", "b2");
        (await IdsAsync(FindingState.Open, limit: 2)).Should().Equal("a2", "c1");
        (await store.GetFindingsAsync(new FindingQuery("run-x"))).Should().BeEmpty();
    }

    [Fact]
    public async Task GetFindingsAsync_RunWithoutFindings_ReturnsEmpty()
    {
        var store = CreateStore();
        await store.AppendAsync(TwoRuns(out _, out _));

        (await store.GetFindingsAsync(new FindingQuery("run-a"))).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendAsync_RunLostThenResumed_StateFollowsTheOneRunSummaryRule()
    {
        var store = CreateStore();
        var run = Run("run-l");
        await store.AppendAsync(
        [
            new TrainingEvent(run, TrainingEventKind.RunStarted, T0) { State = RunState.Training, Offset = 1, Sequence = 1 },
            new TrainingEvent(run, TrainingEventKind.RunLost, T0.AddMinutes(10)) { State = RunState.Lost, Step = 0, Message = "silent", Offset = 2, Sequence = 2 },
        ]);

        (await store.GetRunAsync("run-l"))!.State.Should().Be(RunState.Lost);
        var lost = (await store.ReadEventsAsync(1, 10)).Single().Should().BeOfType<TrainingEvent>().Subject;
        (lost.Kind, lost.State, lost.Message).Should().Be((TrainingEventKind.RunLost, RunState.Lost, "silent"));

        await store.AppendAsync([Metric(run, 3, 3, 1)]);

        (await Track(Reopen(store)).GetRunAsync("run-l"))!.State.Should().Be(RunState.Training, "events resumed");
    }

    [Fact]
    public async Task ReadEventsAsync_ProposalAndAnalysisEvents_RoundTripEveryPropertyInOffsetOrderAfterReopen()
    {
        var store = CreateStore();
        var run = Run("run-p");
        var other = Run("run-q");
        var rich = RichProposal(run, 3, 3);
        var analysis = Analysis(run, 5, 5);
        var bare = new AssistantAnalysisEvent(other, "epoch", AssistantSource.Rules, "Epoch 1 ended; val_loss 0.41.", T0.AddSeconds(6)) { Offset = 6, Sequence = 2 };
        List<TrainInsightEvent> events =
        [
            Training(run, TrainingEventKind.RunStarted, 1, 1),
            Metric(run, 2, 2, 1),
            rich,
            Proposal(other, "prop_b", 4, 1),
            analysis,
            bare,
            Metric(run, 7, 6, 2),
        ];
        await store.AppendAsync(events[..4]);
        await store.AppendAsync(events[4..]);
        store = Track(Reopen(store));

        var read = await store.ReadEventsAsync(0, 100);
        var window = await store.ReadEventsAsync(2, 2, "run-p");

        read.Should().BeEquivalentTo(events, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        read.Select(e => e.GetType()).Should().Equal(events.Select(e => e.GetType()));
        window.Select(e => e.Offset).Should().Equal(3, 5);
        var proposal = read[2].Should().BeOfType<ProposalEvent>().Subject;
        (proposal.Timestamp, proposal.CreatedAt).Should().Be((rich.Timestamp, rich.CreatedAt), "times keep their ticks");
        proposal.Commands.Select(c => (c.Action, c.Path)).Should().Equal(rich.Commands.Select(c => (c.Action, c.Path)));
        proposal.Commands.Select(c => c.Value is { } v ? BitConverter.DoubleToInt64Bits(v) : (long?)null)
            .Should().Equal(rich.Commands.Select(c => c.Value is { } v ? BitConverter.DoubleToInt64Bits(v) : (long?)null), "-0.0 keeps its sign");
        BitConverter.DoubleToInt64Bits(proposal.PreviousValues["weight_decay"]).Should().Be(BitConverter.DoubleToInt64Bits(-0.0));
        BitConverter.DoubleToInt64Bits(proposal.Outcome!.Change).Should().Be(0x7FF8_0000_0000_1234, "a NaN's payload is kept");
        double.IsNaN(proposal.Outcome.After).Should().BeTrue();
        proposal.CommandIds.Should().Equal("cmd_1", "cmd_2", "cmd_3", "cmd_4");
        var bareProposal = read[3].Should().BeOfType<ProposalEvent>().Subject;
        (bareProposal.Outcome, bareProposal.Rationale, bareProposal.AppliedStep, bareProposal.AutoApplied).Should().Be((null, null, null, false));
        bareProposal.CommandIds.Should().BeEmpty();
        bareProposal.PreviousValues.Should().BeEmpty();
        read[4].Should().BeOfType<AssistantAnalysisEvent>().Which.ProposalIds.Should().Equal("prop_1", "prop_2");
        read[5].Should().BeOfType<AssistantAnalysisEvent>().Which.ProposalIds.Should().BeEmpty();
        (await store.GetRunAsync("run-p"))!.EventCount.Should().Be(5, "proposals and analyses are events of their run");
        store.LoadState().LastSequences["run-q"].Should().Be(2);
    }

    [Fact]
    public async Task GetProposalsAsync_Revisions_ReturnsTheLatestOfEachTheMostRecentlyMadeFirst()
    {
        var store = CreateStore();
        var run = Run("run-p");
        var aApproved = Proposal(run, "a", 3, 3, ProposalState.Approved, 2);
        var c = Proposal(Run("run-q"), "c", 4, 1, source: ProposalSource.Model);
        var aApplied = RichProposal(run, 6, 6, "a");
        var bRejected = Proposal(run, "b", 7, 7, ProposalState.Rejected, 2);
        await store.AppendAsync([Proposal(run, "a", 1, 1), Proposal(run, "b", 2, 2), aApproved, c, Metric(run, 5, 5, 10)]);
        var before = await store.GetProposalsAsync(new ProposalQuery());
        await store.AppendAsync([aApplied, bRejected]);

        var proposals = await store.GetProposalsAsync(new ProposalQuery());
        var reopened = await Track(Reopen(store)).GetProposalsAsync(new ProposalQuery());

        before.Select(p => $"{p.ProposalId}{p.Revision}").Should().Equal("c1", "b1", "a2");
        proposals.Should().BeEquivalentTo(new[] { c, bRejected, aApplied }, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        reopened.Should().BeEquivalentTo(new[] { c, bRejected, aApplied }, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        reopened.Select(p => (p.ProposalId, p.Revision, p.Offset, p.Sequence, p.RunId)).Should().Equal(("c", 1, 4L, 1L, "run-q"), ("b", 2, 7L, 7L, "run-p"), ("a", 4, 6L, 6L, "run-p"));
        BitConverter.DoubleToInt64Bits(reopened[2].Outcome!.Change).Should().Be(0x7FF8_0000_0000_1234);
    }

    [Fact]
    public async Task GetProposalsAsync_RunStateAndLimit_FilterOnTheLatestRevision()
    {
        var store = CreateStore();
        var p = Run("run-p");
        var q = Run("run-q");
        await store.AppendAsync(
        [
            Proposal(p, "a", 1, 1),
            Proposal(q, "b", 2, 1),
            Proposal(p, "c", 3, 2),
            Proposal(p, "a", 4, 3, ProposalState.Approved, 2),
            Proposal(q, "d", 5, 2),
            Proposal(p, "a", 6, 4, ProposalState.Applied, 3),
            Proposal(q, "b", 7, 3, ProposalState.Expired, 2),
            Proposal(p, "e", 8, 5),
        ]);
        store = Track(Reopen(store));

        async Task<IEnumerable<string>> IdsAsync(string? runId = null, ProposalState? state = null, int limit = 100) =>
            (await store.GetProposalsAsync(new ProposalQuery { RunId = runId, State = state, Limit = limit })).Select(x => $"{x.ProposalId}{x.Revision}");

        (await IdsAsync()).Should().Equal("e1", "d1", "c1", "b2", "a3");
        (await IdsAsync("run-p")).Should().Equal("e1", "c1", "a3");
        (await IdsAsync("run-q")).Should().Equal("d1", "b2");
        (await IdsAsync(state: ProposalState.Pending)).Should().Equal("e1", "d1", "c1");
        (await IdsAsync(state: ProposalState.Approved)).Should().BeEmpty("a was approved, then applied: the filter is on the latest revision");
        (await IdsAsync(state: ProposalState.Applied)).Should().Equal("a3");
        (await IdsAsync("run-q", ProposalState.Pending)).Should().Equal("d1");
        (await IdsAsync("run-q", ProposalState.Expired)).Should().Equal("b2");
        (await IdsAsync(limit: 2)).Should().Equal("e1", "d1");
        (await IdsAsync("run-p", ProposalState.Pending, 1)).Should().Equal("e1");
        (await IdsAsync("run-x")).Should().BeEmpty();
    }

    [Fact]
    public async Task GetProposalHistoryAsync_RevisionsInTwoBatches_ReturnsEveryRevisionOldestFirstAfterReopen()
    {
        var store = CreateStore();
        var run = Run("run-p");
        List<ProposalEvent> a =
        [
            Proposal(run, "a", 1, 1),
            Proposal(run, "a", 3, 3, ProposalState.Approved, 2),
            RichProposal(run, 4, 4, "a"),
        ];
        await store.AppendAsync([a[0], Proposal(run, "b", 2, 2), a[1]]);
        await store.AppendAsync([a[2], Proposal(run, "b", 5, 5, ProposalState.Rejected, 2)]);
        store = Track(Reopen(store));

        var history = await store.GetProposalHistoryAsync("a");

        history.Should().BeEquivalentTo(a, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        (await store.GetProposalHistoryAsync("b")).Select(x => (x.Revision, x.State, x.Offset)).Should().Equal((1, ProposalState.Pending, 2L), (2, ProposalState.Rejected, 5L));
        (await store.GetProposalHistoryAsync("prop_unknown")).Should().BeEmpty();
        (await store.GetProposalsAsync(new ProposalQuery { RunId = "run-a" })).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendAsync_ProposalsAndAnalyses_NeverChangeTheRunsState()
    {
        var store = CreateStore();
        var done = Run("run-done");
        var lost = Run("run-lost");
        await store.AppendAsync(
        [
            new TrainingEvent(done, TrainingEventKind.RunFinished, T0) { State = RunState.Completed, Step = 9, Offset = 1, Sequence = 1 },
            new TrainingEvent(lost, TrainingEventKind.RunLost, T0) { State = RunState.Lost, Step = 0, Offset = 2, Sequence = 1 },
        ]);

        await store.AppendAsync([Proposal(done, "a", 3, 2, ProposalState.Expired, 2), Analysis(done, 4, 3), Proposal(lost, "b", 5, 2), Analysis(lost, 6, 3)]);

        (await store.GetRunAsync("run-done"))!.State.Should().Be(RunState.Completed);
        (await store.GetRunAsync("run-lost"))!.State.Should().Be(RunState.Lost, "a proposal or analysis is about the run, not from its trainer");
        var reopened = Track(Reopen(store));
        (await reopened.GetRunsAsync(10)).Select(r => (r.Run.Id, r.State, r.LastStep)).Should().BeEquivalentTo(new[] { ("run-done", RunState.Completed, (long?)9), ("run-lost", RunState.Lost, (long?)0) });
    }
}
