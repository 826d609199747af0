//! Clinic settings: the uploaded logo's size in pixels (of the file
//! `clinic.logo_url` names), so the public header can give the `<img>` its
//! width and height and the page does not jump while it loads. NULL for a
//! logo set by URL in the provision file (its size is unknown).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::Clinic;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ClinicLogo {
    LogoWidth,
    LogoHeight,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds only one at a time.
        for col in [ClinicLogo::LogoWidth, ClinicLogo::LogoHeight] {
            manager.alter_table(Table::alter().table(Clinic::Table).add_column(integer_null(col)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [ClinicLogo::LogoHeight, ClinicLogo::LogoWidth] {
            manager.alter_table(Table::alter().table(Clinic::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
