using System.Text;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Conversations;

/// <summary>
/// Fits a conversation's history to <see cref="LlmOptions.HistoryTokenBudget"/>: the newest messages verbatim, and the
/// older ones as one summary line each (cut short), as many as fit a fifth of the budget; the rest are counted.
/// </summary>
internal static class ConversationWindow
{
    public static (List<ChatMessage> Messages, string? Summary, int Trimmed) Fit(IReadOnlyList<ConversationMessage> history, int budget)
    {
        var kept = new List<ChatMessage>();
        var verbatimBudget = budget * 4 / 5;
        var used = 0;
        var index = history.Count - 1;
        for (; index >= 0; index--)
        {
            var cost = TokenEstimator.Estimate(history[index].Text) + 4;
            if (used + cost > verbatimBudget)
            {
                break;
            }

            used += cost;
            kept.Add(new ChatMessage(history[index].Role == ConversationRole.User ? ChatRole.User : ChatRole.Assistant, history[index].Text));
        }

        kept.Reverse();

        // A history must not start with an answer whose question was trimmed.
        if (kept.Count > 0 && kept[0].Role == ChatRole.Assistant)
        {
            kept.RemoveAt(0);
            index++;
        }

        if (index < 0)
        {
            return (kept, null, 0);
        }

        var summaryBudget = budget - used;
        var lines = new List<string>();
        var summaryUsed = 0;
        for (var i = index; i >= 0; i--)
        {
            var m = history[i];
            var line = (m.Role == ConversationRole.User ? "user: " : "assistant: ") + UntrustedText.Quote(m.Text, 100);
            var cost = TokenEstimator.Estimate(line) + 1;
            if (summaryUsed + cost > summaryBudget)
            {
                break;
            }

            summaryUsed += cost;
            lines.Add(line);
        }

        lines.Reverse();
        var trimmed = index + 1;
        var summary = new StringBuilder($"Earlier in this conversation ({trimmed} message{(trimmed == 1 ? "" : "s")} trimmed to fit the budget");
        summary.Append(lines.Count < trimmed ? $"; {trimmed - lines.Count} oldest not shown" : "").Append("):");
        foreach (var line in lines)
        {
            summary.Append('\n').Append(line);
        }

        return (kept, summary.ToString(), trimmed);
    }
}
