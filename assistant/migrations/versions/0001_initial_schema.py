"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:03:22.280364
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('faqs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faqs')),
    sa.UniqueConstraint('question', name=op.f('uq_faqs_question'))
    )
    op.create_table('orders',
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('shipped_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('carrier', sa.String(length=100), nullable=True),
    sa.Column('tracking_no', sa.String(length=100), nullable=True),
    sa.Column('ship_to_province', sa.String(length=100), nullable=True),
    sa.Column('ship_to_city', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_user_id'), ['user_id'], unique=False)

    op.create_table('products',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('link_no', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('ship_within_hours', sa.Integer(), nullable=True),
    sa.Column('presale_ship_date', sa.Date(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('size_chart', sa.JSON(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_products')),
    sa.UniqueConstraint('link_no', name=op.f('uq_products_link_no'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('store',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('catalog_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store'))
    )
    op.create_table('transcripts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('clock', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('intent', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('understanding', sa.JSON(), nullable=False),
    sa.Column('tool_calls', sa.JSON(), nullable=False),
    sa.Column('planner', sa.String(length=32), nullable=False),
    sa.Column('latency_ms', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts'))
    )
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcripts_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcripts_intent'), ['intent'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcripts_received_at'), ['received_at'], unique=False)
        batch_op.create_index('ix_transcripts_room_time', ['room_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcripts_user_id'), ['user_id'], unique=False)

    op.create_table('warehouses',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('cutoff_local', sa.String(length=5), nullable=False),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_warehouses'))
    )
    op.create_table('order_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_order_items_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items'))
    )
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_items_order_id'), ['order_id'], unique=False)

    op.create_table('rooms',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('on_air_sku', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['on_air_sku'], ['products.sku'], name=op.f('fk_rooms_on_air_sku_products'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms'))
    )
    op.create_table('transit_rules',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('from_warehouse', sa.String(length=32), nullable=False),
    sa.Column('to_province', sa.String(length=100), nullable=False),
    sa.Column('carrier', sa.String(length=100), nullable=True),
    sa.Column('days_min', sa.Integer(), nullable=False),
    sa.Column('days_max', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_warehouse'], ['warehouses.code'], name=op.f('fk_transit_rules_from_warehouse_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transit_rules')),
    sa.UniqueConstraint('from_warehouse', 'to_province', name='uq_transit_route')
    )
    op.create_table('variants',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('product_sku', sa.String(length=64), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=True),
    sa.Column('restock_date', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_sku'], ['products.sku'], name=op.f('fk_variants_product_sku_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_variants'))
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_product_sku'), ['product_sku'], unique=False)

    op.create_table('stock',
    sa.Column('variant_sku', sa.String(length=64), nullable=False),
    sa.Column('warehouse_code', sa.String(length=32), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('qty >= 0', name=op.f('ck_stock_qty_not_negative')),
    sa.ForeignKeyConstraint(['variant_sku'], ['variants.sku'], name=op.f('fk_stock_variant_sku_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warehouse_code'], ['warehouses.code'], name=op.f('fk_stock_warehouse_code_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('variant_sku', 'warehouse_code', name=op.f('pk_stock'))
    )


def downgrade() -> None:
    op.drop_table('stock')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_product_sku'))

    op.drop_table('variants')
    op.drop_table('transit_rules')
    op.drop_table('rooms')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_items_order_id'))

    op.drop_table('order_items')
    op.drop_table('warehouses')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcripts_user_id'))
        batch_op.drop_index('ix_transcripts_room_time')
        batch_op.drop_index(batch_op.f('ix_transcripts_received_at'))
        batch_op.drop_index(batch_op.f('ix_transcripts_intent'))
        batch_op.drop_index(batch_op.f('ix_transcripts_action'))

    op.drop_table('transcripts')
    op.drop_table('store')
    op.drop_table('settings')
    op.drop_table('products')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_user_id'))

    op.drop_table('orders')
    op.drop_table('faqs')
