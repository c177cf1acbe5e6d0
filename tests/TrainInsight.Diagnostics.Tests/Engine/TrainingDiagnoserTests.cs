using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Engine;

public class TrainingDiagnoserTests
{
    [Fact]
    public void Observe_ConditionPersists_RaisedOnceWithoutFlood()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.Healthy(i));
        run.Samples(100, i => Synthetic.HealthyWith(10 + i, (MetricNames.TrainLoss, double.NaN)));

        run.Revisions.Where(r => r.Finding.Label == FindingLabels.Divergence).Should().ContainSingle();
    }

    [Fact]
    public void Observe_EvidenceGrows_UpdatesAfterTheMinimumIntervalWithSameId()
    {
        var run = new Synthetic();
        run.Samples(3, i => Synthetic.HealthyWith(i, (MetricNames.GradientNorm, 2e3)));
        run.Samples(20, i => Synthetic.HealthyWith(3 + i, (MetricNames.GradientNorm, 1e6)));

        var revisions = run.Revisions.Where(r => r.Finding.Label == FindingLabels.ExplodingGradients).ToList();
        revisions.Select(r => r.Finding.Revision).Should().Equal(1, 2);
        revisions[1].Check.Should().Be(11, "updates wait MinUpdateInterval (10) checks after the revision before");
        revisions.Select(r => r.Finding.FindingId).Distinct().Should().ContainSingle().Which.Should().Be("run-a/exploding_gradients/1");
        revisions[1].Finding.Evidence[0].Value.Should().Be(1e6);
        revisions[1].Finding.FirstStep.Should().Be(revisions[0].Finding.FirstStep);
        revisions[1].Finding.State.Should().Be(FindingState.Open);
    }

    [Fact]
    public void Observe_ConditionClears_ResolvedAfterFiveClearChecksAndANewEpisodeLater()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, (MetricNames.DeadRelu, 0.9)));
        run.Samples(10, i => Synthetic.HealthyWith(10 + i, (MetricNames.DeadRelu, 0.05)));
        run.Samples(10, i => Synthetic.HealthyWith(20 + i, (MetricNames.DeadRelu, 0.9)));

        var revisions = run.Revisions.Where(r => r.Finding.Label == FindingLabels.DyingRelu).ToList();
        revisions.Select(r => (r.Finding.FindingId, r.Finding.Revision, r.Finding.State)).Should().Equal(
            ("run-a/dying_relu/1", 1, FindingState.Open),
            ("run-a/dying_relu/1", 2, FindingState.Resolved),
            ("run-a/dying_relu/2", 1, FindingState.Open));

        // The median of 5 drops under the limit at the 13th update; five clear judgements later it resolves.
        revisions[1].Check.Should().Be(17);
        revisions[1].Finding.Message.Should().StartWith("Resolved at step 170").And.Contain("When last open: 90 %");
        revisions[1].Finding.Evidence.Should().NotBeEmpty();
    }

    [Fact]
    public void Observe_ManyRunsInterleaved_EachDiagnosedOnItsOwn()
    {
        var diagnoser = new TrainingDiagnoser();
        var runs = Enumerable.Range(0, 50).Select(i => new Synthetic($"run-{i}", diagnoser: diagnoser)).ToList();
        for (var sample = 0; sample < 40; sample++)
        {
            for (var r = 0; r < runs.Count; r++)
            {
                var s = sample;
                runs[r].Samples(1, _ => r % 2 == 1 && s >= 20 ? Synthetic.HealthyWith(s, (MetricNames.TrainLoss, double.NaN)) : Synthetic.Healthy(s, seed: r + 1));
            }
        }

        for (var r = 0; r < runs.Count; r++)
        {
            if (r % 2 == 1)
            {
                runs[r].Problems.Should().Equal(FindingLabels.Divergence);
                runs[r].Raised.Single().RunId.Should().Be($"run-{r}");
                runs[r].FirstCheckOf(FindingLabels.Divergence).Should().Be(21);
            }
            else
            {
                runs[r].Problems.Should().BeEmpty();
            }
        }

        diagnoser.RunCount.Should().Be(50);
        diagnoser.GetFindings("run-1").Should().ContainSingle().Which.Label.Should().Be(FindingLabels.Divergence);
        diagnoser.GetFindings("run-0").Should().BeEmpty();
    }

    [Fact]
    public void Observe_OnlyALoss_ReportsTheLabelsItCannotJudgeOnce()
    {
        var run = new Synthetic();
        run.Samples(25, i => new Dictionary<string, double> { [MetricNames.TrainLoss] = Synthetic.HealthyLoss(i) });

        var finding = run.Raised.Should().ContainSingle(f => f.Label == FindingLabels.SignalsMissing).Subject;
        run.FirstCheckOf(FindingLabels.SignalsMissing).Should().Be(10);
        finding.Severity.Should().Be(FindingSeverity.Info);
        finding.Message.Should().Contain("vanishing_gradients (needs per-layer gradient_norm/<layer> (or gradient_norm))")
            .And.Contain("unshuffled_data (needs batch_class_share)")
            .And.NotContain("divergence (needs");
        run.Diagnoser.GetCoverage("run-a").Should().Contain(c => c.Label == FindingLabels.Divergence && c.IsJudged)
            .And.Contain(c => c.Label == FindingLabels.DataLoaderBottleneck && !c.IsJudged && c.NeededSignals == "data_time and batch_time");
        run.Revisions.Count(r => r.Finding.Label == FindingLabels.SignalsMissing).Should().Be(1, "the list did not change");
    }

    [Fact]
    public void Observe_SignalsArriveLater_CoverageFindingUpdatedThenResolved()
    {
        var run = new Synthetic();
        run.Samples(10, i => new Dictionary<string, double> { [MetricNames.TrainLoss] = Synthetic.HealthyLoss(i) });
        run.Samples(20, i => Synthetic.Healthy(10 + i));
        run.Samples(10, i => Synthetic.Healthy(30 + i)).Validate(0.5, 0.8);
        run.Samples(10, i => Synthetic.Healthy(40 + i));

        var revisions = run.Revisions.Where(r => r.Finding.Label == FindingLabels.SignalsMissing).Select(r => r.Finding).ToList();
        revisions[0].State.Should().Be(FindingState.Open);
        revisions[^1].State.Should().Be(FindingState.Resolved);
        revisions[^1].Message.Should().StartWith("Every label can now be judged");
    }

    [Fact]
    public void Observe_DisabledLabel_IsNotDiagnosed()
    {
        var options = new DiagnosticsOptions();
        options.DisabledLabels.Add(FindingLabels.Divergence);
        var run = new Synthetic(options: options);
        run.Samples(5, i => Synthetic.HealthyWith(i, (MetricNames.TrainLoss, double.NaN)));

        run.Problems.Should().NotContain(FindingLabels.Divergence);
        run.Diagnoser.GetCoverage("run-a").Should().NotContain(c => c.Label == FindingLabels.Divergence);
    }

    [Fact]
    public void Observe_MoreRunsThanMaxRuns_ForgetsTheLeastRecentlyUpdated()
    {
        var options = new DiagnosticsOptions { MaxRuns = 2 };
        var diagnoser = new TrainingDiagnoser(options);
        foreach (var id in new[] { "a", "b", "a", "c" })
        {
            diagnoser.Observe(new MetricEvent(new RunDescriptor(id), 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = double.NaN }));
        }

        diagnoser.RunCount.Should().Be(2);
        diagnoser.GetFindings("b").Should().BeEmpty();
        diagnoser.GetFindings("a").Should().ContainSingle();
        diagnoser.GetFindings("c").Should().ContainSingle();
    }

    [Fact]
    public void Observe_FindingsAndOtherEvents_AreIgnored()
    {
        var diagnoser = new TrainingDiagnoser();
        var run = new RunDescriptor("a");

        diagnoser.Observe(new TrainingEvent(run, TrainingEventKind.RunStarted)).Should().BeEmpty();
        diagnoser.Observe(new FindingEvent(run, "a/divergence/1", FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open, "x")).Should().BeEmpty();
        diagnoser.RunCount.Should().Be(0, "only metric updates and epoch completions create state");
    }

    [Fact]
    public void Observe_Null_Throws()
    {
        var act = () => new TrainingDiagnoser().Observe(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Observe_HealthyUpdatesAfterWarmUp_AllocateNothing()
    {
        var run = new RunDescriptor("a");

        // The synthetic loss flattens after 200 updates, which the plateau detector would rightly report.
        var options = new DiagnosticsOptions();
        options.DisabledLabels.Add(FindingLabels.Plateau);
        var diagnoser = new TrainingDiagnoser(options);
        var events = Enumerable.Range(0, 2_000).Select(i => new MetricEvent(run, i + 1, Synthetic.Healthy(i)) { Epoch = 1 }).ToList();
        foreach (var item in events.Take(1_000))
        {
            diagnoser.Observe(item);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var findings = 0;
        for (var i = 1_000; i < events.Count; i++)
        {
            findings += diagnoser.Observe(events[i]).Count;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        findings.Should().Be(0);
        allocated.Should().Be(0);
    }
}
