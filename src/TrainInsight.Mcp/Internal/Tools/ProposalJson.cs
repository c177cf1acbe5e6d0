using System.Text.Json;
using TrainInsight.Wire;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>Writes proposals as the proposal tools return them (the fields of <c>GET /api/proposals/{id}</c>, in snake_case).</summary>
internal static class ProposalJson
{
    public static void Write(Utf8JsonWriter writer, ProposalEvent p)
    {
        writer.WriteStartObject();
        writer.WriteString("id", p.ProposalId);
        writer.WriteString("run_id", p.RunId);
        writer.WriteString("state", WireNames.State(p.State));
        writer.WriteString("source", WireNames.Source(p.Source));
        writer.WriteString("title", p.Title);
        writer.WriteStartArray("commands");
        foreach (var c in p.Commands)
        {
            writer.WriteStartObject();
            writer.WriteString("action", WireNames.Action(c.Action));
            JsonText.Number(writer, "value", c.Value);
            JsonText.OptionalString(writer, "path", c.Path);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("revision", p.Revision);
        JsonText.Time(writer, "created_at", p.CreatedAt);
        JsonText.Time(writer, "updated_at", p.Timestamp);
        JsonText.OptionalString(writer, "actor", p.Actor);
        JsonText.OptionalString(writer, "reason", p.Reason);
        JsonText.OptionalString(writer, "rationale", p.Rationale);
        JsonText.OptionalString(writer, "expected_effect", p.ExpectedEffect);
        JsonText.OptionalString(writer, "finding_id", p.FindingId);
        JsonText.OptionalString(writer, "finding_label", p.FindingLabel);
        JsonText.OptionalString(writer, "target_metric", p.TargetMetric);
        if (p.AutoApplied)
        {
            writer.WriteBoolean("auto_applied", true);
        }

        if (p.AppliedStep is { } step)
        {
            writer.WriteNumber("applied_step", step);
        }

        JsonText.OptionalString(writer, "checkpoint_path", p.CheckpointPath);
        if (p.PreviousValues.Count > 0)
        {
            writer.WriteStartObject("previous_values");
            foreach (var (name, value) in p.PreviousValues)
            {
                JsonText.Number(writer, name, value);
            }

            writer.WriteEndObject();
        }

        JsonText.OptionalString(writer, "revert_of", p.RevertOf);
        JsonText.OptionalString(writer, "superseded_by", p.SupersededBy);
        if (p.Outcome is { } o)
        {
            writer.WriteStartObject("outcome");
            writer.WriteString("metric", o.Metric);
            writer.WriteString("verdict", WireNames.Verdict(o.Verdict));
            JsonText.Number(writer, "before", o.Before);
            JsonText.Number(writer, "after", o.After);
            JsonText.Number(writer, "expected", o.Expected);
            JsonText.Number(writer, "change", o.Change);
            writer.WriteNumber("before_count", o.BeforeCount);
            writer.WriteNumber("after_count", o.AfterCount);
            writer.WriteNumber("from_step", o.FromStep);
            writer.WriteNumber("to_step", o.ToStep);
            writer.WriteString("message", o.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>One revision of a proposal's audit trail: what happened, when, by whom and why.</summary>
    public static void WriteRevision(Utf8JsonWriter writer, ProposalEvent p)
    {
        writer.WriteStartObject();
        writer.WriteNumber("revision", p.Revision);
        writer.WriteString("state", WireNames.State(p.State));
        JsonText.Time(writer, "at", p.Timestamp);
        JsonText.OptionalString(writer, "actor", p.Actor);
        JsonText.OptionalString(writer, "reason", p.Reason);
        if (p.AutoApplied)
        {
            writer.WriteBoolean("auto_applied", true);
        }

        if (p.Outcome is { } o)
        {
            writer.WriteString("verdict", WireNames.Verdict(o.Verdict));
        }

        writer.WriteEndObject();
    }
}
