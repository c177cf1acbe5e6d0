using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Diagnostics;

namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>Replays a trace through a fresh <see cref="TrainingDiagnoser"/>, event by event, as the live engine would see it.</summary>
internal static class TraceScorer
{
    public static ScoredRun Score(TraceRun trace, DiagnosticsOptions? options = null)
    {
        var diagnoser = new TrainingDiagnoser(options);
        var raised = new List<RaisedFinding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var checks = 0;
        var checksSinceOnset = 0;
        int? checksToDetect = null;
        var header = trace.Header;
        foreach (var item in trace.Events)
        {
            long step = 0;
            if (item is MetricEvent metric)
            {
                checks++;
                step = metric.Step;
                if (metric.Step > header.OnsetStep || header.OnsetStep == 0)
                {
                    checksSinceOnset++;
                }
            }
            else if (item is TrainingEvent { Step: { } s })
            {
                step = s;
            }

            foreach (var finding in diagnoser.Observe(item))
            {
                if (finding.State != FindingState.Open || finding.Severity < FindingSeverity.Warning || !seen.Add(finding.Label))
                {
                    continue;
                }

                raised.Add(new RaisedFinding(finding.Label, finding.Severity, Math.Max(step, finding.Step), checks, finding.Fixes));
                if (finding.Label == header.Label && checksToDetect is null && Math.Max(step, finding.Step) >= header.OnsetStep)
                {
                    checksToDetect = checksSinceOnset;
                }
            }
        }

        return new ScoredRun
        {
            Run = trace.Run.Id,
            Scenario = header.Scenario,
            Model = header.Model,
            Seed = header.Seed,
            TrueLabel = header.Label,
            Predicted = raised.Count > 0 ? raised[0].Label : FindingLabels.Healthy,
            OnsetStep = header.OnsetStep,
            TotalSteps = header.TotalSteps,
            Raised = raised,
            FinalValAccuracy = header.FinalValAccuracy,
            SamplesPerSecond = header.SamplesPerSecond,
            ChecksToDetect = checksToDetect,
        };
    }
}
