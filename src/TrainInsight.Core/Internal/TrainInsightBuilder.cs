using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight.Internal;

internal sealed class TrainInsightBuilder(IServiceCollection services) : ITrainInsightBuilder
{
    public IServiceCollection Services { get; } = services;
}
