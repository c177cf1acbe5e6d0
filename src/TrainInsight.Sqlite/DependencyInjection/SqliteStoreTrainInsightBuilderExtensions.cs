using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store.</summary>
public static class SqliteStoreTrainInsightBuilderExtensions
{
    /// <summary>
    /// Makes a <see cref="SqliteMetricStore"/> the <see cref="IMetricStore"/> of the bus, in place of the default in-memory
    /// store, and registers it as <see cref="SqliteMetricStore"/> too (for <see cref="SqliteMetricStore.IsDegraded"/> in
    /// health checks). The container opens it on first use and disposes it. Safe to call more than once: later calls
    /// only apply <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the store settings; validated setters throw on bad values.</param>
    /// <returns>The builder.</returns>
    public static ITrainInsightBuilder AddSqliteStore(this ITrainInsightBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new SqliteMetricStore(sp.GetRequiredService<SqliteStoreOptions>(), sp.GetService<ILogger<SqliteMetricStore>>()));
        services.RemoveAll<IMetricStore>();
        services.AddSingleton<IMetricStore>(sp => sp.GetRequiredService<SqliteMetricStore>());
        return builder;
    }
}
