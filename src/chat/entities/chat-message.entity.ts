import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { ChatRoom } from './chat-room.entity';

export const CHAT_MESSAGE_TYPES = ['text', 'system'] as const;
export type ChatMessageType = (typeof CHAT_MESSAGE_TYPES)[number];

export const MAX_MESSAGE_LENGTH = 2000;
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 64;

/**
 * A stored chat message. The unique (room, sender, clientMessageId) index is what makes a
 * retried send idempotent, even when the retries race: NULL client ids never collide.
 */
@Entity('chat_messages')
@Index('IDX_chat_messages_room_id', ['roomId', 'id'])
@Index('UQ_chat_messages_client_id', ['roomId', 'senderId', 'clientMessageId'], { unique: true })
export class ChatMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'room_id', type: 'int' })
  roomId: number;

  @ManyToOne(() => ChatRoom, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id' })
  room?: ChatRoom;

  /** Null for system messages. */
  @Index('IDX_chat_messages_sender')
  @Column({ name: 'sender_id', type: 'int', nullable: true })
  senderId: number | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'sender_id' })
  sender?: User | null;

  @Column({ type: 'varchar', length: 16, default: 'text' })
  type: ChatMessageType;

  @Column({ type: 'varchar', length: MAX_MESSAGE_LENGTH })
  content: string;

  @Column({
    name: 'client_message_id',
    type: 'varchar',
    length: MAX_CLIENT_MESSAGE_ID_LENGTH,
    nullable: true,
  })
  clientMessageId: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
