//! The clinic's routing order: whether the office of the page a form was on
//! (`page_first`, the default) or the visitor's ZIP code (`zip_first`)
//! decides first when the visitor chose no office.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261202_000010_leads::LeadSettings;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RoutingOrder {
    RoutingOrder,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LeadSettings::Table)
                    .add_column(string(RoutingOrder::RoutingOrder).default("page_first"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(LeadSettings::Table).drop_column(RoutingOrder::RoutingOrder).to_owned())
            .await
    }
}
