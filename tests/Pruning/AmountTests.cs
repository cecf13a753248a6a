using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class AmountTests
{
    [Theory]
    [InlineData(0.5, 5, 2)]        // 2.5 → 2 (halves to even)
    [InlineData(0.5, 7, 4)]        // 3.5 → 4
    [InlineData(0.5, 3, 2)]        // 1.5 → 2
    [InlineData(0.5, 1, 0)]        // 0.5 → 0
    [InlineData(0.25, 10, 2)]      // 2.5 → 2
    [InlineData(0.3, 10, 3)]       // 3.0000000000000004 → 3
    [InlineData(0.0, 10, 0)]
    [InlineData(1.0, 10, 10)]
    [InlineData(0.7, 266200, 186340)]
    public void A_fraction_prunes_the_rounded_share_of_the_alive_with_halves_to_even(double fraction, long alive, long expected)
    {
        var amount = Amount.Of(fraction);
        Assert.Equal(fraction, amount.Fraction);
        Assert.Null(amount.Count);
        Assert.Equal(expected, amount.CountFor(alive, "'fc1.weight'"));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(3, 10)]
    [InlineData(10, 10)]
    public void Exactly_prunes_that_many(long count, long alive)
    {
        var amount = Amount.Exactly(count);
        Assert.Equal(count, amount.Count);
        Assert.Null(amount.Fraction);
        Assert.Equal(count, amount.CountFor(alive, "'fc1.weight'"));
    }

    [Fact]
    public void A_double_converts_implicitly_to_a_fraction()
    {
        Amount amount = 0.25;
        Assert.Equal(0.25, amount.Fraction);
        Assert.Equal(Amount.Of(0.25), amount);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_fraction_outside_zero_to_one_is_out_of_range_and_quoted(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Amount.Of(fraction));
        Assert.Contains($"got {fraction}", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { Amount implicitAmount = fraction; });
    }

    [Fact]
    public void A_negative_count_is_out_of_range_and_quoted()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Amount.Exactly(-3));
        Assert.Contains("got -3", error.Message);
    }

    [Fact]
    public void A_count_above_the_alive_names_the_layer()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Amount.Exactly(11).CountFor(10, "'fc1.weight'"));
        Assert.Contains("Cannot prune 11 from 'fc1.weight'", error.Message);
        Assert.Contains("only 10", error.Message);
    }

    [Fact]
    public void Pruning_more_than_a_layer_has_left_names_the_layer()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(Amount.Exactly(3)));   // fc1: 5 of 8 alive, fc2: 3 of 6 alive
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => masks.Prune(Scope.Uniform(Amount.Exactly(4))));
        Assert.Contains("'fc2.weight'", error.Message);
        Assert.Contains("only 3", error.Message);
        var global = Assert.Throws<ArgumentOutOfRangeException>(() => masks.Prune(Scope.Global(Amount.Exactly(9))));
        Assert.Contains("the model", global.Message);
        Assert.Contains("only 8", global.Message);
    }
}
