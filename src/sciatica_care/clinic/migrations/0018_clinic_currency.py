from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0017_merge_0014_patient_role_0016_merge_20261205_0038'),
    ]

    operations = [
        migrations.AddField(
            model_name='clinic',
            name='currency',
            field=models.CharField(choices=[('GBP', 'Pound sterling (GBP)'), ('EUR', 'Euro (EUR)'), ('USD', 'US dollar (USD)'), ('CAD', 'Canadian dollar (CAD)'), ('AUD', 'Australian dollar (AUD)'), ('NZD', 'New Zealand dollar (NZD)')], default='GBP', max_length=3),
        ),
    ]
