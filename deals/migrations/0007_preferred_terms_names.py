"""Kind-neutral names for the preferred-stock terms (issue 18): series_j_* -> preferred_*.
Renames (every value stays in its column), then the new labels."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deals", "0006_terms_financing_required")]

    operations = [
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_stated_value', new_name='preferred_stated_value'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_fixed_price', new_name='preferred_fixed_price'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_discount_pct', new_name='preferred_discount_pct'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_lookback_method', new_name='preferred_lookback_method'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_lookback_days', new_name='preferred_lookback_days'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_lookback_lowest', new_name='preferred_lookback_lowest'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_dividend_rate_pct', new_name='preferred_dividend_rate_pct'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_day_count', new_name='preferred_day_count'),
        migrations.RenameField(model_name='dealtermsversion', old_name='series_j_delivery_business_days', new_name='preferred_delivery_business_days'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_stated_value', new_name='preferred_stated_value'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_fixed_price', new_name='preferred_fixed_price'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_discount_pct', new_name='preferred_discount_pct'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_lookback_method', new_name='preferred_lookback_method'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_lookback_days', new_name='preferred_lookback_days'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_lookback_lowest', new_name='preferred_lookback_lowest'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_dividend_rate_pct', new_name='preferred_dividend_rate_pct'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_day_count', new_name='preferred_day_count'),
        migrations.RenameField(model_name='historicaldealtermsversion', old_name='series_j_delivery_business_days', new_name='preferred_delivery_business_days'),
            migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_day_count',
            field=models.CharField(choices=[('act_365', 'Act 365'), ('act_360', 'Act 360'), ('30_360', 'Thirty 360')], default='act_365', help_text='Series J CoD (not in seeds) -- see docs/interpretations.md', max_length=40, verbose_name='Preferred day count'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_delivery_business_days',
            field=models.PositiveIntegerField(default=3, help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- Delivery Date', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred delivery business days'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_discount_pct',
            field=models.DecimalField(decimal_places=4, default=Decimal('80'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- percent of the Market Price', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred discount (%)'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_dividend_rate_pct',
            field=models.DecimalField(decimal_places=4, default=Decimal('6'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- per annum', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred dividend rate (%)'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_fixed_price',
            field=models.DecimalField(decimal_places=4, default=Decimal('1.4375'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- Fixed Price', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred fixed price'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_lookback_days',
            field=models.PositiveIntegerField(default=20, help_text='SPA 1(b)(ix)', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred lookback days'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_lookback_lowest',
            field=models.PositiveIntegerField(default=3, help_text='SPA 1(b)(ix)', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred lookback lowest'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_lookback_method',
            field=models.CharField(choices=[('average_preceding', 'Average Preceding'), ('average_lowest', 'Average Lowest')], default='average_lowest', help_text='SPA 1(b)(ix)', max_length=40, verbose_name='Preferred lookback method'),
        ),
        migrations.AlterField(
            model_name='dealtermsversion',
            name='preferred_stated_value',
            field=models.DecimalField(decimal_places=4, default=Decimal('1000'), help_text='SPA 1(b)(iv) -- liquidation preference per share', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred stated value'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_day_count',
            field=models.CharField(choices=[('act_365', 'Act 365'), ('act_360', 'Act 360'), ('30_360', 'Thirty 360')], default='act_365', help_text='Series J CoD (not in seeds) -- see docs/interpretations.md', max_length=40, verbose_name='Preferred day count'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_delivery_business_days',
            field=models.PositiveIntegerField(default=3, help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- Delivery Date', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred delivery business days'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_discount_pct',
            field=models.DecimalField(decimal_places=4, default=Decimal('80'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- percent of the Market Price', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred discount (%)'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_dividend_rate_pct',
            field=models.DecimalField(decimal_places=4, default=Decimal('6'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- per annum', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred dividend rate (%)'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_fixed_price',
            field=models.DecimalField(decimal_places=4, default=Decimal('1.4375'), help_text='Series J CoD (not in seeds) -- see docs/interpretations.md -- Fixed Price', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred fixed price'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_lookback_days',
            field=models.PositiveIntegerField(default=20, help_text='SPA 1(b)(ix)', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred lookback days'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_lookback_lowest',
            field=models.PositiveIntegerField(default=3, help_text='SPA 1(b)(ix)', validators=[django.core.validators.MaxValueValidator(100000)], verbose_name='Preferred lookback lowest'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_lookback_method',
            field=models.CharField(choices=[('average_preceding', 'Average Preceding'), ('average_lowest', 'Average Lowest')], default='average_lowest', help_text='SPA 1(b)(ix)', max_length=40, verbose_name='Preferred lookback method'),
        ),
        migrations.AlterField(
            model_name='historicaldealtermsversion',
            name='preferred_stated_value',
            field=models.DecimalField(decimal_places=4, default=Decimal('1000'), help_text='SPA 1(b)(iv) -- liquidation preference per share', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='Preferred stated value'),
        ),
    
    ]
