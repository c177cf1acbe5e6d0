using Microsoft.Extensions.Logging;

namespace TrainInsight.Llm.Internal.Control;

/// <summary>
/// The assistant's only way to steer a run: it asks the <see cref="IProposalService"/> for a pending proposal. Whatever the
/// service refuses (an invalid value, an ended run, an unknown run) or fails with comes back as a reason to tell the user
/// (or the model), is counted, and logged; only the caller's cancellation escapes.
/// </summary>
internal sealed class ProposalGateway(IProposalService service, ILogger logger)
{
    /// <summary>Who the assistant's proposals are made by, in their first revision's actor.</summary>
    public const string Actor = "assistant";

    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    public async Task<(ProposalEvent? Proposal, string? Error)> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return (await service.ProposeAsync(request, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is ArgumentException or ProposalStateException or RunNotFoundException && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            AssistantLog.ProposalRefused(logger, request.RunId, request.Source, ex.Message);
            return (null, ex.Message.TrimEnd('.'));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            AssistantLog.ProposalFailed(logger, request.RunId, request.Source, ex);
            return (null, $"the proposal service failed ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})");
        }
    }
}
