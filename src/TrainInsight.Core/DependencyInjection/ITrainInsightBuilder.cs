using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight;

/// <summary>Returned by <c>AddTrainInsight</c>; other TrainInsight packages extend it with their own <c>AddX</c> methods.</summary>
public interface ITrainInsightBuilder
{
    /// <summary>Gets the service collection being configured.</summary>
    IServiceCollection Services { get; }
}
