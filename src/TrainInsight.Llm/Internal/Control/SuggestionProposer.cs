using System.Globalization;
using System.Text;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Control;

/// <summary>
/// Makes a pending proposal of each suggestion that can be applied live (it has commands): its rationale and expected
/// effect, and the finding it answers. The proposal service returns the pending proposal that already holds the same
/// commands, so asking twice does not propose twice.
/// </summary>
internal static class SuggestionProposer
{
    public static async Task<(IReadOnlyList<ProposalEvent> Proposals, string? Text, string? Notice)> RunAsync(
        IReadOnlyList<HyperparameterSuggestion> suggestions, RunData data, ProposalGateway gateway, ProposalSource source, bool zh, CancellationToken cancellationToken)
    {
        var made = new List<ProposalEvent>();
        var text = new StringBuilder();
        var refused = new List<string>();
        foreach (var s in suggestions.Where(s => s.Commands.Count > 0))
        {
            var commands = s.Commands.Count <= ProposalRequest.MaxCommands ? s.Commands : s.Commands.Take(ProposalRequest.MaxCommands).ToList();
            var label = s.FindingId is null ? null : data.Findings.FirstOrDefault(f => f.FindingId == s.FindingId)?.Label;
            var request = new ProposalRequest(data.Run.Id, commands, source)
            {
                Title = Title(s),
                Rationale = Cut(s.Rationale),
                ExpectedEffect = Cut(s.ExpectedEffect),
                FindingId = s.FindingId,
                FindingLabel = label,
                Actor = ProposalGateway.Actor,
            };
            var (proposal, error) = await gateway.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
            if (proposal is null)
            {
                refused.Add(string.Create(CultureInfo.InvariantCulture, $"suggestion {s.Priority} ({s.Parameter}): {error}"));
                continue;
            }

            made.Add(proposal);
            text.Append(zh ? $"提案 {proposal.ProposalId}（建议 {s.Priority}）：{ControlText.State(proposal, zh)}，" : $"Proposal {proposal.ProposalId} (suggestion {s.Priority}): {ControlText.State(proposal, zh)}; ")
                .AppendLine(zh ? $"批准：{ControlText.ApprovePath(proposal.ProposalId)}。" : $"approve it with {ControlText.ApprovePath(proposal.ProposalId)}.");
        }

        var notice = refused.Count == 0 ? null : "Not proposed: " + string.Join("; ", refused.Distinct(StringComparer.Ordinal)) + ".";
        return (made, text.Length == 0 ? null : text.ToString().TrimEnd(), notice);
    }

    private static string Title(HyperparameterSuggestion s)
    {
        if (s.Commands.Count == 1)
        {
            return ControlText.Title(s.Commands[0], s.CurrentValue, null);
        }

        var title = s.ProposedValue is { } proposed
            ? s.CurrentValue is { } current
                ? $"{s.Parameter}: {ControlText.F(current)} → {ControlText.F(proposed)}"
                : $"{s.Parameter} → {ControlText.F(proposed)}"
            : s.Parameter;
        return title.Length <= 200 ? title : title[..200];
    }

    private static string Cut(string text) => text.Length <= ProposalRequest.MaxTextLength ? text : text[..ProposalRequest.MaxTextLength];
}
