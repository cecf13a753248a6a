using System.Reflection;
using PruningLab.Training;

namespace PruningLab.Tests.Training;

/// <summary>A cached model is reused only for the same recipe: every setting that decides the weights is in its key.</summary>
public class CacheKeyTests
{
    private static readonly TrainingOptions Base = new()
    {
        Epochs = 3, BatchSize = 64, Seed = 1, Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9), Schedule = LearningRateSchedule.Cosine(),
    };

    public static IEnumerable<object[]> Variants() =>
    [
        ["epochs", Base with { Epochs = 4 }],
        ["batch size", Base with { BatchSize = 32 }],
        ["seed", Base with { Seed = 2 }],
        ["learning rate", Base with { Optimizer = OptimizerSettings.Sgd(0.04, momentum: 0.9) }],
        ["momentum", Base with { Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.8) }],
        ["nesterov", Base with { Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9, nesterov: true) }],
        ["weight decay", Base with { Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9, weightDecay: 1e-4) }],
        ["optimiser", Base with { Optimizer = OptimizerSettings.Adam(0.05) }],
        ["schedule", Base with { Schedule = LearningRateSchedule.Constant }],
        ["cosine minimum", Base with { Schedule = LearningRateSchedule.Cosine(minimum: 0.001) }],
        ["step schedule", Base with { Schedule = LearningRateSchedule.Step(2) }],
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Changing_any_setting_changes_the_recipe(string what, TrainingOptions changed) =>
        Assert.True(Base.Recipe() != changed.Recipe(), $"{what}: '{changed.Recipe()}' equals the base recipe");

    [Fact]
    public void Every_setting_of_the_options_is_covered_by_a_variant()
    {
        // Properties that decide the weights; Hooks (code, refused by the cache) and Progress (display) do not.
        var covered = new[] { "Epochs", "BatchSize", "Seed", "Optimizer", "Schedule" };
        var all = typeof(TrainingOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);
        Assert.Equal(covered.Append("Hooks").Append("Progress").Order(), all.Order());
        // Every parameter of every optimiser and schedule record appears in its text.
        foreach (var type in new[] { typeof(SgdSettings), typeof(AdamSettings) })
            Assert.All(type.GetConstructors().Single().GetParameters(), p => Assert.Contains(p.Name, new[] { "LearningRate", "Momentum", "Nesterov", "WeightDecay" }));
    }

    [Fact]
    public void The_recipe_does_not_depend_on_the_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Contains("lr=0.05", Base.Recipe());
            Assert.Contains("cosine(to 0.001)", (Base with { Schedule = LearningRateSchedule.Cosine(0.001) }).Recipe());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Keys_are_short_stable_hashes()
    {
        Assert.Equal(16, CacheKey.Of("a").Length);
        Assert.Equal(CacheKey.Of("a"), CacheKey.Of("a"));
        Assert.NotEqual(CacheKey.Of("a"), CacheKey.Of("b"));
    }
}
