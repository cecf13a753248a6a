using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class PolynomialScheduleTests
{
    // s_i = 0, s_f = 0.8, t0 = 10, n = 4, Δt = 5: updates at 10, 15, 20, 25, 30.
    private static readonly PolynomialSchedule Schedule = new(0, 0.8, 10, 4, 5);

    [Theory]
    [InlineData(0, 0.0)]        // before t0: s_i
    [InlineData(10, 0.0)]       // t0: s_i
    [InlineData(15, 0.4625)]    // 0.8 − 0.8·(1 − 1/4)³ = 0.8 − 0.8·0.421875
    [InlineData(20, 0.7)]       // 0.8 − 0.8·(1/2)³
    [InlineData(25, 0.7875)]    // 0.8 − 0.8·(1/4)³
    [InlineData(30, 0.8)]       // the end: s_f
    [InlineData(1000, 0.8)]     // after the end: s_f
    public void Sparsity_follows_the_cubic(long step, double expected) =>
        Assert.Equal(expected, Schedule.SparsityAt(step), 12);

    [Fact]
    public void A_non_zero_initial_sparsity_is_the_start_of_the_cubic()
    {
        var schedule = new PolynomialSchedule(0.2, 0.8, 0, 2, 10);
        Assert.Equal(0.2, schedule.SparsityAt(0), 12);
        Assert.Equal(0.8 - 0.6 * 0.125, schedule.SparsityAt(10), 12);
        Assert.Equal(20, schedule.EndStep);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(10, true)]
    [InlineData(12, false)]
    [InlineData(15, true)]
    [InlineData(30, true)]
    [InlineData(35, false)]
    public void Updates_happen_every_delta_t_from_t0_to_the_end(long step, bool update)
    {
        Assert.Equal(30, Schedule.EndStep);
        Assert.Equal(update, Schedule.IsUpdateStep(step));
    }

    [Fact]
    public void Validate_names_the_wrong_value()
    {
        Assert.Same(Schedule, Schedule.Validate());
        Assert.Contains("got 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => (Schedule with { FinalSparsity = 1.5 }).Validate()).Message);
        Assert.Contains("got -0.1", Assert.Throws<ArgumentOutOfRangeException>(() => (Schedule with { InitialSparsity = -0.1 }).Validate()).Message);
        Assert.Contains("must not be below", Assert.Throws<ArgumentException>(() => new PolynomialSchedule(0.5, 0.3, 0, 1, 1).Validate()).Message);
        Assert.Equal("StartStep", Assert.Throws<ArgumentOutOfRangeException>(() => (Schedule with { StartStep = -1 }).Validate()).ParamName);
        Assert.Equal("PruningSteps", Assert.Throws<ArgumentOutOfRangeException>(() => (Schedule with { PruningSteps = 0 }).Validate()).ParamName);
        Assert.Equal("Frequency", Assert.Throws<ArgumentOutOfRangeException>(() => (Schedule with { Frequency = 0 }).Validate()).ParamName);
    }
}

public class GradualPruningTests(SampleData data) : IClassFixture<SampleData>
{
    [Fact]
    public void As_a_training_hook_it_reaches_the_final_sparsity_along_the_schedule()
    {
        using var scope = NewDisposeScope();
        using var train = data.Train.Subset(256, seed: 2);
        using var test = data.Test.Subset(100, seed: 2);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        // 16 optimiser steps (0…15); updates at 2, 5, 8, 11, 14.
        var schedule = new PolynomialSchedule(0, 0.8, 2, 4, 3);
        var gradual = new GradualPruning(masks, schedule);
        Trainer.Fit(model, train, test, new TrainingOptions
        {
            Epochs = 2, BatchSize = 32, Progress = ProgressDisplay.None, Hooks = [gradual],
        });
        Assert.Equal(new long[] { 2, 5, 8, 11, 14 }, gradual.Updates.Select(u => u.Step));
        var total = masks.Report().Total;
        foreach (var (step, sparsity) in gradual.Updates)
            Assert.True(Math.Abs(sparsity - schedule.SparsityAt(step)) <= 1.0 / total, $"step {step}: {sparsity} vs {schedule.SparsityAt(step)}");
        Assert.True(gradual.Updates.Zip(gradual.Updates.Skip(1)).All(p => p.Second.Sparsity > p.First.Sparsity), "sparsity rises at every update after the first");
        Assert.Equal(0.8, masks.Report().Sparsity, 5);
        foreach (var name in masks.Names) Assert.Equal(0, Tiny.NonZeroPruned(Tiny.Weight(model, name), masks[name]));
    }

    [Fact]
    public void An_invalid_schedule_is_rejected_up_front()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradualPruning(masks, new PolynomialSchedule(0, 0.8, 0, 0, 1)));
    }
}
